using Microsoft.AspNetCore.Mvc;

namespace Berth.Dashboard;

/// <summary>
/// 303 See Other to <see cref="Location"/>: the end of every successful dashboard form (Post/Redirect/Get). The browser
/// follows it with a GET, so a reload repeats the GET, never the POST. (ASP.NET's redirects answer 302, or 307/308,
/// which repeat the POST.)
/// </summary>
public sealed class SeeOtherResult(string location) : IActionResult
{
    /// <summary>A local path (and query) this site built; never a user-supplied address.</summary>
    public string Location { get; } = location;

    public Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status303SeeOther;
        // Concatenated, not PathString.Add: that would escape the '?' of a query (…/manifests/x?repository=y).
        response.Headers.Location = context.HttpContext.Request.PathBase + Location;
        return Task.CompletedTask;
    }
}
