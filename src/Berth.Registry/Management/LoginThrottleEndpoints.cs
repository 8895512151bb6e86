using System.Buffers.Text;
using System.Text;
using Berth.Api;
using Berth.Core.Metadata;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// <c>/api/v1/login-throttles</c>, for administrators: who is being slowed down for failed logins, and lifting it
/// (after confirming a client is legitimate, e.g. a CI runner that had a typo in its secret).
/// </summary>
public static class LoginThrottleEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static RouteGroupBuilder MapBerthLoginThrottleApi(this RouteGroupBuilder api)
    {
        api.MapGet("/login-throttles", ListAsync);
        api.MapDelete("/login-throttles", LiftAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, LoginThrottle throttle, int? limit, string? after, CancellationToken ct)
    {
        RequireAdmin(context);
        if (limit is < 1 or > MaxLimit)
        {
            throw new ManagementException(400, "Invalid limit", $"limit must be between 1 and {MaxLimit}.");
        }

        var take = limit ?? DefaultLimit;
        var page = await throttle.ListAsync(after is null ? null : ParseCursor(after), take + 1, ct);
        var items = page.Take(take).Select(e => Response(e, throttle.ThrottledUntil(e))).ToList();
        return Results.Ok(new LoginThrottlePage(items, page.Count > take ? Cursor(page[take - 1]) : null));
    }

    private static async Task<IResult> LiftAsync(HttpContext context, LoginThrottle throttle, string? kind, string? username, string? address, CancellationToken ct)
    {
        RequireAdmin(context);
        if (username is null && address is null)
        {
            throw new ManagementException(400, "Nothing selected", "Name the throttles to lift: a username (with kind registry or user), an address, or both.");
        }

        string? account = null;
        if (username is not null)
        {
            account = kind switch
            {
                LoginAttempt.Registry or LoginAttempt.User => $"{kind}:{username}",
                _ => throw new ManagementException(400, "Invalid kind", "With a username, kind must be 'registry' or 'user'."),
            };
        }
        else if (kind is "address")
        {
            account = LoginThrottleEntry.AnyAccount;
        }
        else if (kind is not null)
        {
            throw new ManagementException(400, "Invalid kind", "Without a username, kind may only be 'address' (the counter across every account).");
        }

        return Results.Ok(new LiftedThrottlesResponse(await throttle.LiftAsync(account, address, context.User.Username(), ct)));
    }

    private static LoginThrottleResponse Response(LoginThrottleEntry entry, DateTimeOffset? until)
    {
        if (entry.Account == LoginThrottleEntry.AnyAccount)
        {
            return new LoginThrottleResponse("address", null, entry.Address, entry.Failures, entry.LastFailureAt, until);
        }

        var colon = entry.Account.IndexOf(':', StringComparison.Ordinal);
        return new LoginThrottleResponse(entry.Account[..colon], entry.Account[(colon + 1)..], entry.Address, entry.Failures, entry.LastFailureAt, until);
    }

    // The cursor is the last (account, address) of a page; opaque to clients.
    private static string Cursor(LoginThrottleEntry entry) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(entry.Account + "\n" + entry.Address));

    private static (string Account, string Address) ParseCursor(string cursor)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('\n');
            if (parts.Length == 2)
            {
                return (parts[0], parts[1]);
            }
        }
        catch (FormatException)
        {
        }

        throw new ManagementException(400, "Invalid cursor", "after must be the 'next' value of a previous page.");
    }

    private static void RequireAdmin(HttpContext context)
    {
        if (!context.User.IsAdmin())
        {
            throw new ManagementException(403, "Forbidden", "Only administrators manage login throttles.");
        }
    }
}
