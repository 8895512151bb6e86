using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// Users: administrators list and create them; every user changes their own password. The management API and the
/// dashboard both call this, so the rules (names, password length, who may) are the same in both.
/// </summary>
public sealed partial class UserAccounts(IUserStore users, UserAuthenticator authenticator, TimeProvider time)
{
    public const int MinPasswordLength = 12;

    public const string UsernameRule = "3–63 characters: lowercase letters, digits, '.', '_' and '-', starting and ending with a letter or digit";

    public static bool IsValidUsername(string? name) => name is { Length: >= 3 and <= 63 } && UsernameRegex().IsMatch(name);

    /// <exception cref="ManagementException">403 for a non-administrator, 400 for a bad name or password, 409 for a taken name</exception>
    public async Task<UserRecord> CreateAsync(ClaimsPrincipal caller, string? username, string? password, bool admin, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        var name = username?.Trim().ToLowerInvariant();
        if (!IsValidUsername(name))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid username", $"Usernames are {UsernameRule}.");
        }

        var hash = PasswordHasher.Hash(RequirePassword(password));
        try
        {
            return await users.CreateUserAsync(new UserRecord(Secrets.NewId(), name!, hash, admin, 1, time.GetUtcNow()), cancellationToken);
        }
        catch (MetadataConflictException)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "User exists", $"A user named '{name}' already exists.");
        }
    }

    /// <exception cref="ManagementException">403 for a non-administrator</exception>
    public Task<IReadOnlyList<UserRecord>> ListAsync(ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        return users.ListUsersAsync(cancellationToken);
    }

    /// <summary>
    /// Needs the current password; moves the security stamp on, which ends every existing session. Returns the user
    /// as now stored, so the dashboard can renew the session that made the change.
    /// </summary>
    /// <exception cref="ManagementException">400 for a wrong current password or a weak new one</exception>
    public async Task<UserRecord> ChangePasswordAsync(ClaimsPrincipal caller, string? currentPassword, string? newPassword, IPAddress? client,
        CancellationToken cancellationToken)
    {
        UserRecord? current;
        try
        {
            current = await authenticator.VerifyPasswordAsync(caller.Username(), currentPassword ?? "", client, cancellationToken);
        }
        catch (LoginRefusedException ex) when (ex.RetryAfter is null)
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Wrong password", $"The current password is not correct: {ex.Message}.");
        }

        if (current is null || current.Id != caller.UserId())
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Wrong password", "The current password is not correct.");
        }

        var stamp = await users.SetUserPasswordAsync(current.Id, PasswordHasher.Hash(RequirePassword(newPassword)), time.GetUtcNow(), cancellationToken)
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "User not found", "Your account no longer exists.");
        return current with { SecurityStamp = stamp };
    }

    private static void RequireAdmin(ClaimsPrincipal caller)
    {
        if (!caller.IsAdmin())
        {
            throw new ManagementException(StatusCodes.Status403Forbidden, "Forbidden", "Only administrators manage users.");
        }
    }

    private static string RequirePassword(string? password) =>
        password is { Length: >= MinPasswordLength and <= 1024 }
            ? password
            : throw new ManagementException(StatusCodes.Status400BadRequest, "Weak password", $"Passwords must be at least {MinPasswordLength} characters.");

    [GeneratedRegex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UsernameRegex();
}
