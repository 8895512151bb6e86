using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Registry.Hosting;

/// <summary>
/// Answers a request that failed because the metadata database was busy (SQLite's one writer lock or a PostgreSQL
/// lock or pooled connection not had in time) with a retryable 503 and <c>Retry-After</c> instead of a 500: an RFC 7807
/// problem on the management API, the dashboard and <c>/auth/token</c>; an OCI error body on <c>/v2</c> (where the
/// dispatcher answers it itself; this covers what fails before it). Nothing was changed, so a retry is safe.
/// </summary>
public sealed partial class MetadataBusyHandler(IMetadataStore store, IProblemDetailsService problems, ILogger<MetadataBusyHandler> logger)
    : IExceptionHandler
{
    /// <summary>Seconds a client should wait before it retries: a busy spell lasts about the busy timeout.</summary>
    public const string RetryAfterSeconds = "1";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!store.IsBusy(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogBusy(logger, httpContext.Request.Method, httpContext.Request.Path);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        if (httpContext.Request.Path.StartsWithSegments("/v2"))
        {
            await OciErrorWriter.WriteAsync(httpContext, OciErrorCode.Unavailable);
            return true;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Busy, retry shortly",
                Detail = "The metadata database is busy with other writes; nothing was changed. Retry after the Retry-After delay.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The metadata database was busy on {Method} {Path}; answered 503")]
    private static partial void LogBusy(ILogger logger, string method, string path);
}
