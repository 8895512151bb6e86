using Berth.Registry.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages;

/// <summary>
/// Signing in answers 303 either way: to the page asked for, or back to this form with the reason (in TempData), so a
/// reload never posts the password again.
/// </summary>
public sealed class LoginModel(UserAuthenticator authenticator) : PageModel
{
    [BindProperty]
    public string Username { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [TempData]
    public string? Error { get; set; }

    /// <summary>The username of a refused attempt, filled in again.</summary>
    [TempData]
    public string? Attempted { get; set; }

    public void OnGet() => Username = Attempted ?? "";

    public async Task<IActionResult> OnPostAsync()
    {
        try
        {
            var user = await authenticator.VerifyPasswordAsync(Username.Trim(), Password, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted);
            if (user is null)
            {
                return Refused("Wrong username or password.");
            }

            // Only local addresses: a crafted link must not bounce a fresh session to another site.
            var target = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : DashboardExtensions.HomePath;
            await HttpContext.SignInAsync(BerthAuthentication.CookieScheme,
                BerthAuthentication.PrincipalFor(user, BerthAuthentication.CookieScheme),
                new AuthenticationProperties { RedirectUri = target });
            return new SeeOtherResult(target);
        }
        catch (LoginRefusedException ex)
        {
            return Refused(ex.RetryAfter is null
                ? $"Wrong password: {ex.Message}."
                : $"Too many failed sign-in attempts. Try again in {ex.RetryAfterSeconds} s.");
        }
    }

    private SeeOtherResult Refused(string message)
    {
        Error = message;
        Attempted = Username.Trim();
        return new SeeOtherResult(Url.IsLocalUrl(ReturnUrl) ? $"/login?ReturnUrl={Uri.EscapeDataString(ReturnUrl!)}" : "/login");
    }
}
