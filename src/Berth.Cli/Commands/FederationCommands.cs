using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth federation …</c>: a registry's workload identity federation rules, which let CI jobs sign in with their
/// OIDC ID token instead of a stored password.
/// </summary>
public static class FederationCommands
{
    public static Command Create() => new("federation", "Manage a registry's CI sign-in rules (workload identity federation)")
    {
        AddCommand(),
        ListCommand(),
        RemoveCommand(),
    };

    private static Option<string> RegistryOption() => new("--registry", "-r") { Description = "The registry", Required = true };

    private static Command AddCommand()
    {
        var name = new Argument<string>("name") { Description = "The rule's name, e.g. gha-main" };
        var registry = RegistryOption();
        var issuer = new Option<string>("--issuer") { Description = "The OIDC issuer URL, exactly as in the tokens' iss claim", Required = true };
        var audience = new Option<string>("--audience") { Description = "The aud the ID tokens are issued for, e.g. berth", Required = true };
        var claims = new Option<string[]>("--claim")
        {
            Description = "CLAIM=VALUE the token must carry (VALUE exact, or a glob with *); repeatable",
            DefaultValueFactory = _ => [],
        };
        var scopes = new Option<string[]>("--scope") { Description = "pull, push or delete; repeatable", Required = true };
        var repositories = new Option<string[]>("--repository")
        {
            Description = "A repository pattern the sign-in is limited to (e.g. 'app/*'); repeatable; default: every repository",
            DefaultValueFactory = _ => [],
        };
        var lifetime = new Option<int?>("--token-lifetime") { Description = "Minutes a sign-in lasts at most (5-60; default 15)" };
        var command = new Command("add", "Trust the ID tokens of an issuer whose claims match to sign in to the registry")
        {
            name, registry, issuer, audience, claims, scopes, repositories, lifetime,
        };
        command.SetApiAction(async ctx =>
        {
            var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var claim in ctx.Get(claims)!)
            {
                var equals = claim.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new CliException($"--claim '{claim}' is not CLAIM=VALUE") { ExitCode = BerthCli.UsageErrorExitCode };
                }

                parsed[claim[..equals]] = claim[(equals + 1)..];
            }

            var request = new CreateFederationRuleRequest(ctx.Get(name), ctx.Get(issuer), ctx.Get(audience), parsed, [.. ctx.Get(scopes)!],
                [.. ctx.Get(repositories)!], ctx.Get(lifetime));
            var response = await ctx.Api.CreateFederationRuleAsync(ctx.Get(registry)!, request, ctx.CancellationToken);
            ctx.Output.Render(response, rule =>
            {
                WriteRule(ctx.Output, rule);
                ctx.Output.Out.WriteLine();
                ctx.Output.Out.WriteLine($"CI jobs sign in with username {ctx.Get(registry)!} and their ID token as the password.");
            });
        });
        return command;
    }

    private static Command ListCommand()
    {
        var registry = RegistryOption();
        var command = new Command("list", "List the registry's federation rules") { registry };
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ListFederationRulesAsync(ctx.Get(registry)!, ctx.CancellationToken);
            ctx.Output.Render(response, rules =>
            {
                var table = new TableWriter("ID", "NAME", "ISSUER", "AUDIENCE", "CLAIMS", "SCOPES", "REPOSITORIES", "LIFETIME", "LAST USED");
                foreach (var rule in rules)
                {
                    table.AddRow(rule.Id, rule.Name, rule.Issuer, rule.Audience, Claims(rule), string.Join(',', rule.Scopes),
                        rule.Repositories.Count == 0 ? "all" : string.Join(' ', rule.Repositories), $"{rule.TokenLifetimeMinutes} min",
                        rule.LastUsedAt is { } used ? Format.Date(used) : "-");
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command RemoveCommand()
    {
        var id = new Argument<string>("id") { Description = "The rule's id (see `berth federation list`)" };
        var registry = RegistryOption();
        var command = new Command("remove", "Delete a federation rule; the sign-ins it granted stop working at once") { id, registry };
        command.Aliases.Add("rm");
        command.SetApiAction(async ctx =>
        {
            await ctx.Api.DeleteFederationRuleAsync(ctx.Get(registry)!, ctx.Get(id), ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Removed federation rule {ctx.Get(id)} of {ctx.Get(registry)!}.");
            }
        });
        return command;
    }

    private static void WriteRule(Output output, FederationRuleResponse rule) =>
        output.WriteFields(
            ("Id", rule.Id),
            ("Name", rule.Name),
            ("Issuer", rule.Issuer),
            ("Audience", rule.Audience),
            ("Claims", Claims(rule)),
            ("Scopes", string.Join(',', rule.Scopes)),
            ("Repositories", rule.Repositories.Count == 0 ? "all" : string.Join(' ', rule.Repositories)),
            ("Token lifetime", $"{rule.TokenLifetimeMinutes} min"));

    private static string Claims(FederationRuleResponse rule) =>
        rule.Claims.Count == 0 ? "-" : string.Join(' ', rule.Claims.Select(c => $"{c.Key}={c.Value}"));
}
