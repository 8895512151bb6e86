using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Auth;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Account;

/// <summary>
/// The signed-in user's own account: their password and personal access tokens. A new token travels from the POST
/// to the next GET in TempData (encrypted, read once), so it is shown once and a reload shows it no more.
/// </summary>
public sealed class AccountModel(UserAccounts accounts, AccessTokens tokens, TimeProvider time) : PageModel
{
    public const string Path = "/account";

    /// <summary>What the expiry menu offers, in days; null is "never".</summary>
    public static IReadOnlyList<int?> ExpiryChoices { get; } = [30, 90, 365, null];

    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? TokenName { get; set; }

    [BindProperty]
    public int? ExpiresInDays { get; set; }

    [BindProperty]
    public string? TokenId { get; set; }

    public IReadOnlyList<AccessTokenRecord> Tokens { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public string? PasswordError { get; set; }

    [TempData]
    public string? TokenError { get; set; }

    /// <summary>The token just created, in clear: only on the first GET after the POST.</summary>
    [TempData]
    public string? NewToken { get; set; }

    [TempData]
    public string? NewTokenName { get; set; }

    public async Task OnGetAsync()
    {
        Now = time.GetUtcNow();
        Tokens = await tokens.ListAsync(User, HttpContext.RequestAborted);
        if (NewToken is not null)
        {
            Response.Headers.CacheControl = "no-store";
        }
    }

    public async Task<IActionResult> OnPostPasswordAsync()
    {
        try
        {
            var user = await accounts.ChangePasswordAsync(User, CurrentPassword, NewPassword, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted);

            // The change ended every session (new security stamp), this one included: renew it so the user stays in.
            await HttpContext.SignInAsync(BerthAuthentication.CookieScheme, BerthAuthentication.PrincipalFor(user, BerthAuthentication.CookieScheme));
            Notice = "Your password was changed. Sessions signed in with the old one have ended; your access tokens keep working.";
        }
        catch (ManagementException ex) when (ex.Status == 400)
        {
            PasswordError = ex.Message;
        }
        catch (LoginRefusedException ex) when (ex.RetryAfter is not null)
        {
            PasswordError = $"Too many failed attempts. Try again in {ex.RetryAfterSeconds} s.";
        }

        return new SeeOtherResult(Path);
    }

    public async Task<IActionResult> OnPostCreateTokenAsync()
    {
        if (ModelState[nameof(ExpiresInDays)]?.Errors.Count > 0)
        {
            // Unparsable input binds as null, which would mean "never expires": refuse it instead.
            TokenError = $"Expiry must be a whole number of days from 1 to {AccessTokens.MaxExpiryDays}, or never.";
            return new SeeOtherResult(Path);
        }

        try
        {
            var (record, token) = await tokens.CreateAsync(User, TokenName, ExpiresInDays, HttpContext.RequestAborted);
            NewToken = token;
            NewTokenName = record.Name;
        }
        catch (ManagementException ex) when (ex.Status == 400)
        {
            TokenError = ex.Message;
        }

        return new SeeOtherResult(Path);
    }

    public async Task<IActionResult> OnPostRevokeAsync()
    {
        try
        {
            await tokens.RevokeAsync(User, TokenId ?? "", HttpContext.RequestAborted);
            Notice = "The token was revoked: it stops working at once.";
        }
        catch (ManagementException ex) when (ex.Status == 404)
        {
            TokenError = ex.Message;
        }

        return new SeeOtherResult(Path);
    }

    public static string Expiry(int? days) => days is { } d ? $"{d} days" : "Never";
}
