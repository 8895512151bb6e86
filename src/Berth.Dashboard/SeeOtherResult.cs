using Microsoft.AspNetCore.Mvc;

namespace Berth.Dashboard;

/// <summary>
/// 303 See Other to a local address: the Post/Redirect/Get answer to a form, so a reload fetches the result page
/// again instead of sending the form twice (a 302 lets some clients repeat the POST).
/// </summary>
public sealed class SeeOtherResult(string location) : IActionResult
{
    public string Location { get; } = location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal)
        ? location
        : throw new ArgumentException("Only local addresses: " + location, nameof(location));

    public Task ExecuteResultAsync(ActionContext context)
    {
        context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.HttpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }
}
