using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth throttle …</c>: clients slowed down for failed logins (administrators). A client is a username at one
/// address; an address is also slowed as a whole after failures across many usernames.
/// </summary>
public static class ThrottleCommands
{
    public static Command Create() => new("throttle", "Show and lift login throttling (administrators)")
    {
        ListCommand(),
        LiftCommand(),
    };

    private static Command ListCommand()
    {
        var command = new Command("list", "List clients and addresses with recent failed logins, and until when each must wait");
        command.SetApiAction(async ctx =>
        {
            // Every page, so --json prints one array.
            var items = new List<LoginThrottleResponse>();
            var json = new List<System.Text.Json.JsonElement>();
            string? after = null;
            do
            {
                var page = await ctx.Api.ListLoginThrottlesAsync(after, ctx.CancellationToken);
                items.AddRange(page.Value.Items);
                json.AddRange(page.Json.GetProperty("items").EnumerateArray());
                after = page.Value.Next;
            }
            while (after is not null);

            ctx.Output.Render(new ApiResponse<List<LoginThrottleResponse>>(items, System.Text.Json.JsonSerializer.SerializeToElement(json)), list =>
            {
                if (list.Count == 0)
                {
                    ctx.Output.Out.WriteLine("No failed logins to show.");
                    return;
                }

                var table = new TableWriter("KIND", "USERNAME", "ADDRESS", "FAILURES>", "LAST FAILURE", "WAITS UNTIL");
                foreach (var t in list)
                {
                    table.AddRow(t.Kind, t.Username ?? "(any)", t.Address, Format.Number(t.Failures),
                        t.LastFailureAt is { } last ? Format.Date(last) : "-", t.ThrottledUntil is { } until ? Format.Date(until) : "-");
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command LiftCommand()
    {
        var username = new Option<string?>("--username") { Description = "The registry name or user whose failures to clear" };
        var kind = new Option<string?>("--kind")
        {
            Description = "registry or user (with --username; default registry), or address (the counter across usernames)",
        };
        var address = new Option<string?>("--address") { Description = "Only at this client address (IPv6: its /64, as listed)" };
        var command = new Command("lift", "Clear failed logins so the client can try again at once") { username, kind, address };
        command.SetApiAction(async ctx =>
        {
            var name = ctx.Get(username);
            var at = ctx.Get(address);
            if (name is null && at is null)
            {
                throw new CliException("name what to lift: --username, --address, or both");
            }

            var response = await ctx.Api.LiftLoginThrottlesAsync(ctx.Get(kind) ?? (name is null ? null : "registry"), name, at, ctx.CancellationToken);
            ctx.Output.Render(response, r => ctx.Output.Out.WriteLine($"Cleared {r.Cleared} throttling counter(s)."));
        });
        return command;
    }
}
