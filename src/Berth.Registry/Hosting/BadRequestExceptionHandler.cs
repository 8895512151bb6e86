using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Berth.Registry.Hosting;

/// <summary>
/// A request the framework could not read (a body that is not the JSON an endpoint takes, a number sent as a string,
/// a query value of the wrong type, a body that stalled or ended early) is the client's fault: it is answered with an
/// RFC 7807 problem and the exception's own status (400, 408, 413, 415), logged at Information without a stack trace,
/// instead of a 500. /v2 answers its own errors and never gets here.
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        LogBadRequest(logger, httpContext.Request.Method, httpContext.Request.Path, bad.StatusCode, bad.Message);
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = bad.StatusCode, Title = "Invalid request", Detail = Describe(bad) },
        });
    }

    /// <summary>The framework's message names CLR types for JSON errors; say where in the body instead.</summary>
    private static string Describe(BadHttpRequestException exception) =>
        exception.InnerException is JsonException json
            ? $"The request body is not the JSON this operation takes{(json.Path is { Length: > 0 } path ? $" (at {path})" : "")}: see docs/api.md."
            : exception.Message;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: bad request ({Status}): {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string method, string path, int status, string reason);
}
