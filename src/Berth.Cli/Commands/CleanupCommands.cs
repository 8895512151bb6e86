using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth cleanup-policy …</c> and <c>berth cleanup-runs …</c>: a registry's cleanup policy (which tags and untagged
/// manifests go, on which schedule), its dry run, and the runs that deleted them.
/// </summary>
public static partial class CleanupCommands
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private static readonly string[] RuleKeys =
        ["repositories", "tagPattern", "excludeTagPattern", "keepMostRecent", "keepPulledWithinDays", "keepPushedWithinDays"];

    public static Command Create() => new("cleanup-policy", "Show, set and try a registry's cleanup policy, and run it")
    {
        ShowCommand(),
        SetCommand(),
        DeleteCommand(),
        DryRunCommand(),
        RunCommand(),
    };

    public static Command CreateRuns() => new("cleanup-runs", "A registry's cleanup runs")
    {
        ListRunsCommand(),
        ShowRunCommand(),
    };

    private static Argument<string> RegistryArgument() => new("registry") { Description = "The registry" };

    private static Option<string?> FileOption(string description) => new("--file", "-f") { Description = description };

    private static Command ShowCommand()
    {
        var registry = RegistryArgument();
        var command = new Command("show", "Show the registry's cleanup policy") { registry };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.GetCleanupPolicyAsync(ctx.Get(registry), ctx.CancellationToken);
            ctx.Output.Render(response, policy => WritePolicy(ctx.Output, policy));
        });
        return command;
    }

    private static Command SetCommand()
    {
        var registry = RegistryArgument();
        var file = FileOption("The policy as JSON (as `berth --json cleanup-policy show` prints it); - for standard input");
        var rules = new Option<string[]>("--rule")
        {
            Description = "A rule as KEY=VALUE,… with repositories (required), tagPattern, excludeTagPattern, keepMostRecent, "
                + "keepPulledWithinDays, keepPushedWithinDays; repeatable",
            DefaultValueFactory = _ => [],
        };
        var untagged = new Option<int?>("--untagged-older-than-hours") { Description = "Also delete manifests untagged this many hours" };
        var schedule = new Option<string?>("--schedule") { Description = "off (default), daily (00:00 UTC) or a 5-field cron expression (UTC)" };
        var command = new Command("set", "Replace the registry's cleanup policy, from a file or from --rule options")
        {
            registry, file, rules, untagged, schedule,
        };
        command.Validators.Add(result =>
        {
            var inline = result.GetValue(rules) is { Length: > 0 } || result.GetValue(untagged) is not null || result.GetValue(schedule) is not null;
            if (result.GetValue(file) is not null && inline)
            {
                result.AddError("Give the policy either as --file or as --rule/--untagged-older-than-hours/--schedule, not both.");
            }
            else if (result.GetValue(file) is null && !inline)
            {
                result.AddError("Give the policy: --file policy.json (- for standard input), or --rule and the other options.");
            }
        });
        command.SetApiAction(async ctx =>
        {
            var response = ctx.Get(file) is { } path
                ? await ctx.Api.SetCleanupPolicyAsync(ctx.Get(registry), await ReadPolicyFileAsync(path, ctx.CancellationToken), ctx.CancellationToken)
                : await ctx.Api.SetCleanupPolicyAsync(
                    ctx.Get(registry),
                    new CleanupPolicyRequest([.. ctx.Get(rules)!.Select(ParseRule)], ctx.Get(untagged), ctx.Get(schedule) ?? "off"),
                    ctx.CancellationToken);
            ctx.Output.Render(response, policy =>
            {
                WritePolicy(ctx.Output, policy);
                ctx.Output.Out.WriteLine();
                ctx.Output.Out.WriteLine($"See what it would delete now with `berth cleanup-policy dry-run {ctx.Get(registry)}`.");
            });
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var registry = RegistryArgument();
        var command = new Command("delete", "Remove the registry's cleanup policy (and its schedule)") { registry };
        command.SetApiAction(async ctx =>
        {
            await ctx.Api.DeleteCleanupPolicyAsync(ctx.Get(registry), ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Removed the cleanup policy of {ctx.Get(registry)}.");
            }
        });
        return command;
    }

    private static Command DryRunCommand()
    {
        var registry = RegistryArgument();
        var file = FileOption("Preview this policy (JSON; - for standard input) instead of the stored one");
        var command = new Command("dry-run", "List what a run would delete now, and what it leaves and why; deletes nothing") { registry, file };
        command.SetApiAction(async ctx =>
        {
            var policy = ctx.Get(file) is { } path ? await ReadPolicyFileAsync(path, ctx.CancellationToken) : null;
            var response = await ctx.Api.DryRunCleanupAsync(ctx.Get(registry), policy, ctx.CancellationToken);
            ctx.Output.Render(response, preview =>
            {
                var output = ctx.Output.Out;
                if (preview.Tags.Count > 0)
                {
                    var tags = new TableWriter("REPOSITORY", "TAG", "DIGEST");
                    foreach (var tag in preview.Tags)
                    {
                        tags.AddRow(tag.Repository, tag.Tag, tag.Digest);
                    }

                    ctx.Output.WriteTable(tags);
                    output.WriteLine();
                }

                if (preview.Manifests.Count > 0)
                {
                    var manifests = new TableWriter("REPOSITORY", "UNTAGGED MANIFEST");
                    foreach (var manifest in preview.Manifests)
                    {
                        manifests.AddRow(manifest.Repository, manifest.Digest);
                    }

                    ctx.Output.WriteTable(manifests);
                    output.WriteLine();
                }

                if (preview.Protected.Count > 0)
                {
                    var kept = new TableWriter("REPOSITORY", "KEPT", "REASON");
                    foreach (var item in preview.Protected)
                    {
                        kept.AddRow(item.Repository, item.Reference, item.Reason);
                    }

                    ctx.Output.WriteTable(kept);
                    output.WriteLine();
                }

                output.WriteLine($"A run now would delete {Format.Count(preview.Tags.Count, "tag", "tags")} and "
                    + $"{Format.Count(preview.Manifests.Count, "untagged manifest", "untagged manifests")}, and keep "
                    + $"{Format.Count(preview.Protected.Count, "protected candidate", "protected candidates")}; "
                    + $"usage drops by {Format.Bytes(preview.BytesFreed)} once the deleted manifests are purged.");
            });
        });
        return command;
    }

    private static Command RunCommand()
    {
        var registry = RegistryArgument();
        var wait = new Option<bool>("--wait") { Description = "Wait until the run has finished; exit 1 unless it succeeded" };
        var command = new Command("run", "Run the registry's cleanup policy now") { registry, wait };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.RunCleanupAsync(ctx.Get(registry), ctx.CancellationToken);
            while (ctx.Get(wait) && response.Value.Status == "running")
            {
                await Task.Delay(PollInterval, ctx.CancellationToken);
                response = await ctx.Api.GetCleanupRunAsync(ctx.Get(registry), response.Value.Id, ctx.CancellationToken);
            }

            ctx.Output.Render(response, run =>
            {
                WriteRun(ctx.Output, run);
                if (run.Status == "running")
                {
                    ctx.Output.Out.WriteLine();
                    ctx.Output.Out.WriteLine($"Follow it with `berth cleanup-runs show {ctx.Get(registry)} {Format.Number(run.Id)}`.");
                }
            });
            if (ctx.Get(wait) && response.Value.Status != "succeeded")
            {
                throw new CliException($"cleanup run {Format.Number(response.Value.Id)} {response.Value.Status}");
            }
        });
        return command;
    }

    private static Command ListRunsCommand()
    {
        var registry = RegistryArgument();
        var limit = new Option<int?>("--limit", "-n") { Description = "Only the latest N runs (default: all)" };
        var command = new Command("list", "List the registry's cleanup runs, newest first") { registry, limit };
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ListCleanupRunsAsync(ctx.Get(registry), ctx.Get(limit), ctx.CancellationToken);
            ctx.Output.Render(response, runs =>
            {
                if (runs.Count == 0)
                {
                    ctx.Output.Out.WriteLine($"{ctx.Get(registry)} has no cleanup runs yet.");
                    return;
                }

                var table = new TableWriter("ID>", "TRIGGER", "STATUS", "STARTED", "FINISHED", "TAGS>", "MANIFESTS>", "SKIPPED>", "FREED>", "ERRORS>");
                foreach (var run in runs)
                {
                    table.AddRow(Format.Number(run.Id), run.Trigger, run.Status, Format.Timestamp(run.StartedAt),
                        run.FinishedAt is { } finished ? Format.Timestamp(finished) : "-", Format.Number(run.TagsDeleted),
                        Format.Number(run.ManifestsDeleted), Format.Number(run.Skipped), Format.Bytes(run.BytesFreed), Format.Number(run.Errors.Count));
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command ShowRunCommand()
    {
        var registry = RegistryArgument();
        var id = new Argument<long>("id") { Description = "The run's id (see `berth cleanup-runs list`)" };
        var command = new Command("show", "Show one cleanup run, with its errors") { registry, id };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.GetCleanupRunAsync(ctx.Get(registry), ctx.Get(id), ctx.CancellationToken);
            ctx.Output.Render(response, run => WriteRun(ctx.Output, run));
        });
        return command;
    }

    /// <summary>The JSON of a policy file (or of standard input for <c>-</c>), checked to be JSON before it is sent.</summary>
    private static async Task<byte[]> ReadPolicyFileAsync(string path, CancellationToken cancellationToken)
    {
        byte[] json;
        try
        {
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
                json = buffer.ToArray();
            }
            else
            {
                json = await File.ReadAllBytesAsync(path, cancellationToken);
            }
        }
        catch (IOException e)
        {
            throw new CliException($"cannot read {path}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException($"cannot read {path}: {e.Message}", e);
        }

        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CliException($"{(path == "-" ? "standard input" : path)} is not JSON: {e.Message}", e) { ExitCode = BerthCli.UsageErrorExitCode };
        }

        return json;
    }

    /// <summary>
    /// <c>repositories=app/**,tagPattern=^v,keepMostRecent=3</c>. A comma ends a value only where a word and <c>=</c>
    /// follow (the next key, or a misspelt one to report), so patterns such as <c>^v{1,3}</c> keep theirs.
    /// </summary>
    internal static CleanupRuleView ParseRule(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in RuleKeyBoundary().Split(text))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? part[..equals] : part;
            if (equals <= 0 || !RuleKeys.Contains(key))
            {
                throw new CliException($"--rule '{text}': '{part}' is not one of {string.Join(", ", RuleKeys)} with =VALUE")
                {
                    ExitCode = BerthCli.UsageErrorExitCode,
                };
            }

            values[key] = part[(equals + 1)..];
        }

        return new CleanupRuleView(
            values.GetValueOrDefault("repositories"),
            values.GetValueOrDefault("tagPattern"),
            values.GetValueOrDefault("excludeTagPattern"),
            Number(text, values, "keepMostRecent"),
            Number(text, values, "keepPulledWithinDays"),
            Number(text, values, "keepPushedWithinDays"));
    }

    [GeneratedRegex(",(?=[A-Za-z]+=)")]
    private static partial Regex RuleKeyBoundary();

    private static int? Number(string rule, Dictionary<string, string> values, string key) =>
        !values.TryGetValue(key, out var value) ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new CliException($"--rule '{rule}': {key} must be a whole number, not '{value}'") { ExitCode = BerthCli.UsageErrorExitCode };

    private static void WritePolicy(Output output, CleanupPolicyResponse policy)
    {
        output.WriteFields(
            ("Schedule", policy.Schedule),
            ("Next run", policy.NextRunAt is { } next ? Format.Timestamp(next) : "-"),
            ("Untagged manifests", policy.UntaggedOlderThanHours is { } hours ? $"deleted after {Format.Count(hours, "hour", "hours")}" : "kept"),
            ("Updated", policy.UpdatedAt is { } updated ? Format.Timestamp(updated) : "never (no policy)"));
        output.Out.WriteLine();
        if (policy.Rules.Count == 0)
        {
            output.Out.WriteLine("No rules: no tag is deleted.");
            return;
        }

        var table = new TableWriter("REPOSITORIES", "TAGS", "EXCEPT", "KEEP NEWEST>", "KEEP PULLED (DAYS)>", "KEEP PUSHED (DAYS)>");
        foreach (var rule in policy.Rules)
        {
            table.AddRow(rule.Repositories, rule.TagPattern ?? "(all)", rule.ExcludeTagPattern ?? "-", Optional(rule.KeepMostRecent),
                Optional(rule.KeepPulledWithinDays), Optional(rule.KeepPushedWithinDays));
        }

        output.WriteTable(table);
    }

    private static void WriteRun(Output output, CleanupRunResponse run)
    {
        output.WriteFields(
            ("Run", Format.Number(run.Id)),
            ("Trigger", run.Trigger),
            ("Status", run.Status),
            ("Started", Format.Timestamp(run.StartedAt)),
            ("Finished", run.FinishedAt is { } finished ? Format.Timestamp(finished) : "-"),
            ("Tags deleted", Format.Number(run.TagsDeleted)),
            ("Manifests deleted", Format.Number(run.ManifestsDeleted)),
            ("Skipped", Format.Number(run.Skipped)),
            ("Bytes freed", Format.Bytes(run.BytesFreed)));
        foreach (var error in run.Errors)
        {
            output.Out.WriteLine($"error: {error}");
        }
    }

    private static string Optional(int? value) => value is { } n ? Format.Number(n) : "-";
}
