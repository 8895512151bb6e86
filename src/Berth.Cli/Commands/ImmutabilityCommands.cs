using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth immutability …</c>: a registry's tag immutability rules. Protected tags can be pushed once and never moved
/// to another image or deleted.
/// </summary>
public static partial class ImmutabilityCommands
{
    public static Command Create() => new("immutability", "Show or set which tags of a registry can never be moved or deleted")
    {
        ShowCommand(),
        SetCommand(),
        ClearCommand(),
    };

    private static Argument<string> RegistryArgument() => new("registry") { Description = "The registry" };

    private static Command ShowCommand()
    {
        var registry = RegistryArgument();
        var command = new Command("show", "Show the registry's immutability rules") { registry };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.GetImmutabilityAsync(ctx.Get(registry)!, ctx.CancellationToken);
            ctx.Output.Render(response, body => WriteRules(ctx.Output, body));
        });
        return command;
    }

    private static Command SetCommand()
    {
        var registry = RegistryArgument();
        var rules = new Option<string[]>("--rule")
        {
            Description = "A rule: repositories=GLOB[,tagPattern=REGEX][,excludeTagPattern=REGEX]; repeatable, numbered in order",
            DefaultValueFactory = _ => [],
        };
        var file = new Option<FileInfo?>("--file") { Description = "A JSON file with the API's body: {\"rules\":[{\"repositories\":\"**\",…}]}" };
        var command = new Command("set", "Replace the registry's immutability rules") { registry, rules, file };
        command.SetApiAction(async ctx =>
        {
            var request = await RequestAsync(ctx.Get(rules)!, ctx.Get(file), ctx.CancellationToken);
            var response = await ctx.Api.SetImmutabilityAsync(ctx.Get(registry)!, request, ctx.CancellationToken);
            ctx.Output.Render(response, body => WriteRules(ctx.Output, body));
        });
        return command;
    }

    private static Command ClearCommand()
    {
        var registry = RegistryArgument();
        var command = new Command("clear", "Remove every immutability rule: all tags become mutable") { registry };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.SetImmutabilityAsync(ctx.Get(registry)!, new ImmutabilityRequest([]), ctx.CancellationToken);
            ctx.Output.Render(response, _ => ctx.Output.Out.WriteLine($"{ctx.Get(registry)!} has no immutability rules now."));
        });
        return command;
    }

    private static async Task<ImmutabilityRequest> RequestAsync(string[] rules, FileInfo? file, CancellationToken cancellationToken)
    {
        if ((rules.Length > 0) == (file is not null))
        {
            throw new CliException("Give the rules with --rule (repeatable) or with --file, not both or neither.") { ExitCode = BerthCli.UsageErrorExitCode };
        }

        if (file is not null)
        {
            try
            {
                await using var stream = file.OpenRead();
                return await JsonSerializer.DeserializeAsync(stream, CliJsonContext.Default.ImmutabilityRequest, cancellationToken)
                    ?? throw new CliException($"{file.Name} holds no rules.") { ExitCode = BerthCli.UsageErrorExitCode };
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                throw new CliException($"Can't read {file.Name}: {ex.Message}") { ExitCode = BerthCli.UsageErrorExitCode };
            }
        }

        return new ImmutabilityRequest([.. rules.Select(ParseRule)]);
    }

    /// <summary>
    /// <c>repositories=**,tagPattern=.*</c>: split only at a comma followed by a field name, so that a pattern may hold
    /// commas itself (<c>^v[0-9]{1,3}$</c>).
    /// </summary>
    private static ImmutabilityRuleView ParseRule(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in FieldSeparator().Split(text))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? part[..equals] : "";
            if (key is not ("repositories" or "tagPattern" or "excludeTagPattern") || !fields.TryAdd(key, part[(equals + 1)..]))
            {
                throw new CliException($"--rule '{text}': expected repositories=GLOB[,tagPattern=REGEX][,excludeTagPattern=REGEX], each once")
                {
                    ExitCode = BerthCli.UsageErrorExitCode,
                };
            }
        }

        return new ImmutabilityRuleView(fields.GetValueOrDefault("repositories"), fields.GetValueOrDefault("tagPattern"),
            fields.GetValueOrDefault("excludeTagPattern"));
    }

    private static void WriteRules(Output output, ImmutabilityResponse body)
    {
        if (body.Rules.Count == 0)
        {
            output.Out.WriteLine("No immutability rules: every tag can be moved and deleted.");
            return;
        }

        var table = new TableWriter("RULE", "REPOSITORIES", "TAG PATTERN", "EXCLUDE TAG PATTERN");
        for (var i = 0; i < body.Rules.Count; i++)
        {
            var rule = body.Rules[i];
            table.AddRow((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), rule.Repositories ?? "", rule.TagPattern ?? "(every tag)",
                rule.ExcludeTagPattern ?? "-");
        }

        output.WriteTable(table);
        if (body.UpdatedAt is { } updated)
        {
            output.Out.WriteLine($"Updated {Format.Date(updated)}.");
        }
    }

    [GeneratedRegex(",(?=(?:repositories|tagPattern|excludeTagPattern)=)")]
    private static partial Regex FieldSeparator();
}
