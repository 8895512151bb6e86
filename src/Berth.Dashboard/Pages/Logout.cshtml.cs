using Berth.Registry.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages;

/// <summary>Signing out is a POST (with the antiforgery token), so another site cannot end a session with a link.</summary>
public sealed class LogoutModel : PageModel
{
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(BerthAuthentication.CookieScheme);
        return new SeeOtherResult("/login");
    }
}
