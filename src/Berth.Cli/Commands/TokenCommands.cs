using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth token …</c>: your personal access tokens, for the API and for <c>docker login</c> to the registries of your
/// projects (username: yours, password: the token); with <c>--registry</c>, that registry's access tokens (username: the
/// registry's name, password: the token), limited to scopes and repositories.
/// </summary>
public static class TokenCommands
{
    public static Command Create() => new("token", "Manage your personal access tokens, or with --registry a registry's access tokens")
    {
        CreateCommand(),
        ListCommand(),
        RevokeCommand(),
    };

    private static Option<string?> RegistryOption() => new("--registry", "-r")
    {
        Description = "Manage this registry's access tokens instead of your personal ones",
    };

    private static Command CreateCommand()
    {
        var name = new Argument<string>("name") { Description = "What the token is for, e.g. ci-deploy" };
        var expires = new Option<int?>("--expires-in-days") { Description = "Days until it stops working (1-3650; default: never)" };
        var registry = RegistryOption();
        var scopes = new Option<string[]>("--scope")
        {
            Description = "With --registry: pull, push or delete (repeat for several)",
            AllowMultipleArgumentsPerToken = false,
        };
        var repositories = new Option<string[]>("--repository")
        {
            Description = "With --registry: a repository glob the token is limited to, e.g. 'api/*' (repeat for several; default: all)",
        };
        var command = new Command("create", "Create an access token; it is shown only once") { name, expires, registry, scopes, repositories };
        command.Validators.Add(result =>
        {
            if (result.GetValue(registry) is null && (result.GetValue(scopes) is { Length: > 0 } || result.GetValue(repositories) is { Length: > 0 }))
            {
                result.AddError("--scope and --repository are for a registry's access tokens: give --registry too.");
            }
            else if (result.GetValue(registry) is not null && result.GetValue(scopes) is not { Length: > 0 })
            {
                result.AddError("A registry access token needs at least one --scope (pull, push, delete).");
            }
        });
        command.SetApiAction(async ctx =>
        {
            if (ctx.Get(registry) is { } registryName)
            {
                var request = new CreateRegistryTokenRequest(ctx.Get(name), ctx.Get(scopes), ctx.Get(repositories) is { Length: > 0 } r ? r : null, ctx.Get(expires));
                var created = await ctx.Api.CreateRegistryTokenAsync(registryName, request, ctx.CancellationToken);
                ctx.Output.Render(created, token =>
                {
                    ctx.Output.WriteFields(
                        ("Id", token.Id),
                        ("Name", token.Name),
                        ("Username", registryName),
                        ("Token", token.Token),
                        ("Scopes", string.Join(", ", token.Scopes)),
                        ("Repositories", token.Repositories.Count == 0 ? "all" : string.Join(", ", token.Repositories)),
                        ("Expires", token.ExpiresAt is { } at ? Format.Date(at) : "never"));
                    ctx.Output.Out.WriteLine();
                    ctx.Output.Out.WriteLine($"The token is shown only once: store it now. Use it as the password with username {registryName}.");
                    ctx.Output.Out.WriteLine($"Revoke it with `berth token revoke {token.Id} --registry {registryName}`.");
                });
                return;
            }

            var response = await ctx.Api.CreateTokenAsync(new CreateTokenRequest(ctx.Get(name), ctx.Get(expires)), ctx.CancellationToken);
            ctx.Output.Render(response, token =>
            {
                ctx.Output.WriteFields(
                    ("Id", token.Id),
                    ("Name", token.Name),
                    ("Token", token.Token),
                    ("Expires", token.ExpiresAt is { } at ? Format.Date(at) : "never"));
                ctx.Output.Out.WriteLine();
                ctx.Output.Out.WriteLine("The token is shown only once: store it now. Revoke it with `berth token revoke " + token.Id + "`.");
            });
        });
        return command;
    }

    private static Command ListCommand()
    {
        var registry = RegistryOption();
        var command = new Command("list", "List your personal access tokens (revoked ones too), or with --registry the registry's active and expired ones") { registry };
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
            if (ctx.Get(registry) is { } registryName)
            {
                var listed = await ctx.Api.ListRegistryTokensAsync(registryName, ctx.CancellationToken);
                ctx.Output.Render(listed, tokens =>
                {
                    var table = new TableWriter("ID", "NAME", "SCOPES", "REPOSITORIES", "EXPIRES", "LAST USED", "FROM", "STATE");
                    foreach (var token in tokens)
                    {
                        table.AddRow(token.Id, token.Name, string.Join(",", token.Scopes),
                            token.Repositories.Count == 0 ? "all" : string.Join(" ", token.Repositories),
                            token.ExpiresAt is { } expires ? Format.Date(expires) : "never",
                            token.LastUsedAt is { } used ? Format.Date(used) : "-",
                            token.LastUsedFrom ?? "-",
                            token.State);
                    }

                    ctx.Output.WriteTable(table);
                });
                return;
            }

            var response = await ctx.Api.ListTokensAsync(ctx.CancellationToken);
            ctx.Output.Render(response, tokens =>
            {
                var table = new TableWriter("ID", "NAME", "CREATED", "EXPIRES", "LAST USED", "STATE");
                foreach (var token in tokens)
                {
                    table.AddRow(token.Id, token.Name, Format.Date(token.CreatedAt),
                        token.ExpiresAt is { } expires ? Format.Date(expires) : "never",
                        token.LastUsedAt is { } used ? Format.Date(used) : "-",
                        State(token));
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command RevokeCommand()
    {
        var id = new Argument<string>("id") { Description = "The token's id (see `berth token list`)" };
        var registry = RegistryOption();
        var command = new Command("revoke", "Revoke an access token; it stops working at once (on every node)") { id, registry };
        command.SetApiAction(async ctx =>
        {
            if (ctx.Get(registry) is { } registryName)
            {
                await ctx.Api.RevokeRegistryTokenAsync(registryName, ctx.Get(id), ctx.CancellationToken);
            }
            else
            {
                await ctx.Api.RevokeTokenAsync(ctx.Get(id), ctx.CancellationToken);
            }

            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Revoked token {ctx.Get(id)}.");
            }
        });
        return command;
    }

    private static string State(AccessTokenResponse token) =>
        token.RevokedAt is not null ? "revoked"
        : token.ExpiresAt is { } expires && expires <= DateTimeOffset.UtcNow ? "expired"
        : "active";
}
