using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth token …</c>: your personal access tokens, for the API and for <c>docker login</c> to the registries of your
/// projects (username: yours, password: the token).
/// </summary>
public static class TokenCommands
{
    public static Command Create() => new("token", "Manage your personal access tokens")
    {
        CreateCommand(),
        ListCommand(),
        RevokeCommand(),
    };

    private static Command CreateCommand()
    {
        var name = new Argument<string>("name") { Description = "What the token is for, e.g. ci-deploy" };
        var expires = new Option<int?>("--expires-in-days") { Description = "Days until it stops working (1-3650; default: never)" };
        var command = new Command("create", "Create a personal access token; it is shown only once") { name, expires };
        command.SetApiAction(async ctx =>
        {
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
        var command = new Command("list", "List your personal access tokens (revoked ones too)");
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
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
        var command = new Command("revoke", "Revoke a personal access token; it stops working at once") { id };
        command.SetApiAction(async ctx =>
        {
            await ctx.Api.RevokeTokenAsync(ctx.Get(id), ctx.CancellationToken);
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
