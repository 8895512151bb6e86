using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages;

/// <summary>The fallback for addresses nothing else answers.</summary>
public sealed class NotFoundModel : PageModel
{
    public Problem Problem { get; } = new(404, "Page not found", "There is nothing at this address. It may have been deleted, or the link is mistyped.");

    public IActionResult OnGet()
    {
        // API clients get a plain 404, as before the dashboard existed, not an HTML page.
        if (Request.Path.StartsWithSegments("/api"))
        {
            return NotFound();
        }

        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
