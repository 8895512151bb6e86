using Berth.Registry.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages;

public sealed class LoginModel(UserAuthenticator authenticator) : PageModel
{
    [BindProperty]
    public string Username { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnPostAsync()
    {
        try
        {
            var user = await authenticator.VerifyPasswordAsync(Username.Trim(), Password, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted);
            if (user is null)
            {
                Error = "Wrong username or password.";
                return Page();
            }

            // Only local addresses: a crafted link must not bounce a fresh session to another site.
            var target = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : DashboardExtensions.HomePath;
            await HttpContext.SignInAsync(BerthAuthentication.CookieScheme,
                BerthAuthentication.PrincipalFor(user, BerthAuthentication.CookieScheme),
                new AuthenticationProperties { RedirectUri = target });
            return LocalRedirect(target);
        }
        catch (LoginRefusedException ex)
        {
            Response.StatusCode = ex.StatusCode;
            ex.ApplyHeaders(Response);
            Error = ex.RetryAfter is null
                ? $"Wrong password: {ex.Message}."
                : $"Too many failed sign-in attempts. Try again in {ex.RetryAfterSeconds} s.";
            return Page();
        }
    }
}
