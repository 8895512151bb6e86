using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Auth;
using Berth.Registry.Hosting;
using Berth.Registry.Observability;

namespace Berth.Registry.Distribution;

/// <summary>
/// The /v2 entry point: parses the path once, authenticates, authorises, and hands the request to the one
/// handler of the resource. OCI errors raised anywhere below are written here.
/// </summary>
public sealed partial class V2Dispatcher(
    V2Authenticator authenticator,
    RegistryAddressing addressing,
    ITenantStore tenants,
    IOptions<BerthOptions> options,
    BlobHandler blobs,
    UploadHandler uploads,
    ManifestHandler manifests,
    TagsHandler tags,
    CatalogHandler catalog,
    ReferrersHandler referrers,
    BlobTransfers transfers,
    BerthMetrics metrics,
    IMetadataStore store,
    ILogger<V2Dispatcher> logger)
{
    private readonly string _service = options.Value.Auth.Service;

    public async Task HandleAsync(HttpContext context)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value ?? "";
        var route = V2Route.Parse(path.Length >= 3 ? path[3..] : "");
        try
        {
            await DispatchAsync(context, route);
        }
        finally
        {
            metrics.RecordV2Request(route.Kind.ToString(), context.Request.Method, context.Response.StatusCode,
                System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task DispatchAsync(HttpContext context, V2Route route)
    {
        context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        string? scope = null;
        try
        {
            switch (route.Kind)
            {
                case V2RouteKind.NotFound:
                    throw new OciException(OciErrorCode.NameUnknown, "no such API endpoint");
                case V2RouteKind.Base or V2RouteKind.Catalog when !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method):
                    throw new OciException(OciErrorCode.Unsupported);
                case V2RouteKind.Base:
                    if (await authenticator.AuthenticateAsync(context.Request, false, null, context.RequestAborted) is null)
                    {
                        await ChallengeAsync(context, scope: null, insufficientScope: false);
                        return;
                    }

                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("{}", context.RequestAborted);
                    return;
                case V2RouteKind.Catalog:
                    var caller = await authenticator.AuthenticateAsync(context.Request, false, null, context.RequestAborted);
                    if (caller is null || !caller.CanListCatalog)
                    {
                        await ChallengeAsync(context, "registry:catalog:*", insufficientScope: caller is not null);
                        return;
                    }

                    await catalog.HandleAsync(context, caller);
                    return;
            }

            var target = addressing.Resolve(context.Request, route.Name);
            var required = RequiredActions(route.Kind, context.Request.Method);
            scope = $"repository:{target.Name}:{Scope.FormatActions(required == RepositoryActions.Pull ? RepositoryActions.Pull : required | RepositoryActions.Pull)}";

            // Upload sessions outlive short tokens: an expired but otherwise valid token may continue one.
            var principal = await authenticator.AuthenticateAsync(context.Request, route.Kind == V2RouteKind.Upload, target.RegistryName, context.RequestAborted);
            if (principal is null)
            {
                await ChallengeAsync(context, scope, insufficientScope: false);
                return;
            }

            if (principal.RegistryName != target.RegistryName)
            {
                // Valid credentials of another registry never reach its data; a registry that doesn't exist (or was
                // deleted) is reported as such so clients fail with a clear message.
                throw await tenants.GetRegistryAsync(target.RegistryName, context.RequestAborted) is null
                    ? new OciException(OciErrorCode.NameUnknown, $"registry '{target.RegistryName}' does not exist")
                    : new OciException(OciErrorCode.Denied);
            }

            if ((principal.ActionsOn(target.Name, target.Repository) & required) != required)
            {
                // An access token or federated sign-in that can never do this: no other bearer token would help, so the
                // answer is final.
                if (principal.TokenCeilingOn(target.Repository) is { } ceiling && (ceiling & required) != required)
                {
                    throw new OciException(OciErrorCode.Denied, $"the {(principal.RegistryTokenId is null ? "federation rule" : "access token")} does not allow {Scope.FormatActions(required & ~ceiling)} on {target.Name}");
                }

                await ChallengeAsync(context, scope, insufficientScope: true);
                return;
            }

            var request = new V2Request(context, route, target, principal);
            using var transfer = route.Kind is V2RouteKind.Blob or V2RouteKind.Upload or V2RouteKind.UploadStart ? transfers.Begin() : default(BlobTransfers.Scope?);
            await (route.Kind switch
            {
                V2RouteKind.Blob => blobs.HandleAsync(request),
                V2RouteKind.UploadStart or V2RouteKind.Upload => uploads.HandleAsync(request),
                V2RouteKind.Manifest => manifests.HandleAsync(request),
                V2RouteKind.Tags => tags.HandleAsync(request),
                V2RouteKind.Referrers => referrers.HandleAsync(request),
                _ => throw new OciException(OciErrorCode.NameUnknown, "no such API endpoint"),
            });
        }
        catch (LoginRefusedException ex)
        {
            ex.ApplyHeaders(context.Response);
            if (ex.RetryAfter is null)
            {
                // The replaced password: challenged like any 401, with the reason in the message.
                SetChallenge(context, scope, insufficientScope: false);
            }

            await OciErrorWriter.WriteAsync(context, ex.RetryAfter is null ? OciErrorCode.Unauthorized : OciErrorCode.TooManyRequests, ex.Message);
        }
        catch (OciException ex)
        {
            if (!context.Response.HasStarted)
            {
                if (ex.Error == OciErrorCode.Unsupported && AllowedMethods(route.Kind) is { } allowed)
                {
                    // RFC 9110 §15.5.6: a 405 names the methods the resource does support.
                    context.Response.Headers.Allow = allowed;
                }
                else if (ex.Error == OciErrorCode.Unauthorized)
                {
                    // A 401 from below (an expired token on a later upload session) challenges like any other.
                    SetChallenge(context, scope, insufficientScope: false);
                }

                await OciErrorWriter.WriteAsync(context, ex);
            }
        }
        catch (RegistryGoneException) when (!context.Response.HasStarted)
        {
            // Deleted while this request (authenticated just before) was on its way: as if it had come a moment later.
            await OciErrorWriter.WriteAsync(context, OciErrorCode.NameUnknown, "registry not found");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (an interrupted push or pull); nothing to answer, and no stack trace to log.
            LogClientGone(logger, context.Request.Method, context.Request.Path);
        }
        catch (Exception ex) when (ClientBodyError(route, ex, context.RequestAborted.IsCancellationRequested) is { } error)
        {
            // A body that stalls, ends early or is cut off is the client's doing, and common (an interrupted push):
            // one line at Information, no stack trace; the answer is for a client still listening.
            LogClientBodyFailed(logger, context.Request.Method, context.Request.Path, error.Status, ex.Message);
            if (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                // Kestrel closes the connection after a bad body: tell the client not to reuse it.
                context.Response.Headers.Connection = "close";
                await OciErrorWriter.WriteAsync(context, error, ex.Message);
            }
        }
        catch (Exception ex) when (store.IsBusy(ex))
        {
            // Another writer held the database past the busy timeout: a retryable answer, not a server error.
            LogBusy(logger, context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                context.Response.Headers.RetryAfter = MetadataBusyHandler.RetryAfterSeconds;
                await OciErrorWriter.WriteAsync(context, OciErrorCode.Unavailable);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnhandled(logger, ex, context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"errors":[{"code":"UNKNOWN","message":"internal server error"}]}""");
            }
        }
    }

    private static RepositoryActions RequiredActions(V2RouteKind kind, string method) => kind switch
    {
        V2RouteKind.UploadStart or V2RouteKind.Upload => RepositoryActions.Push,
        V2RouteKind.Manifest when HttpMethods.IsPut(method) => RepositoryActions.Push,
        V2RouteKind.Manifest or V2RouteKind.Blob when HttpMethods.IsDelete(method) => RepositoryActions.Delete,
        _ => RepositoryActions.Pull,
    };

    /// <summary>
    /// The error for a request body the client failed to deliver: Kestrel's own verdict (408 when it arrived slower
    /// than the minimum data rate, 400 when it ended before its announced length), or a connection reset mid-body.
    /// Null for anything else, which stays a server error.
    /// </summary>
    private static OciErrorCode? ClientBodyError(V2Route route, Exception exception, bool aborted)
    {
        var manifest = route.Kind == V2RouteKind.Manifest;
        return exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
                manifest ? OciErrorCode.ManifestBodyTimeout : OciErrorCode.BlobUploadBodyTimeout,
            BadHttpRequestException or Microsoft.AspNetCore.Connections.ConnectionResetException =>
                manifest ? OciErrorCode.ManifestInvalid : OciErrorCode.BlobUploadInvalid,
            IOException when aborted =>
                manifest ? OciErrorCode.ManifestInvalid : OciErrorCode.BlobUploadInvalid,
            _ => null,
        };
    }

    private static string? AllowedMethods(V2RouteKind kind) => kind switch
    {
        V2RouteKind.Base or V2RouteKind.Catalog => "GET, HEAD",
        V2RouteKind.Manifest => "GET, HEAD, PUT, DELETE",
        V2RouteKind.Blob => "GET, HEAD, DELETE",
        V2RouteKind.UploadStart => "POST",
        V2RouteKind.Upload => "GET, PATCH, PUT, DELETE",
        V2RouteKind.Tags or V2RouteKind.Referrers => "GET, HEAD",
        _ => null,
    };

    private Task ChallengeAsync(HttpContext context, string? scope, bool insufficientScope)
    {
        SetChallenge(context, scope, insufficientScope);
        return OciErrorWriter.WriteAsync(context, OciErrorCode.Unauthorized);
    }

    private void SetChallenge(HttpContext context, string? scope, bool insufficientScope)
    {
        var realm = $"{context.Request.Scheme}://{context.Request.Host}/auth/token";
        var header = $"Bearer realm=\"{realm}\",service=\"{_service}\"";
        if (scope is not null)
        {
            header += $",scope=\"{scope}\"";
        }

        if (insufficientScope)
        {
            header += ",error=\"insufficient_scope\"";
        }

        context.Response.Headers.WWWAuthenticate = header;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The metadata database was busy on {Method} {Path}; answered 503")]
    private static partial void LogBusy(ILogger logger, string method, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: the client went away before the request completed")]
    private static partial void LogClientGone(ILogger logger, string method, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: the client's request body failed ({Status}): {Reason}")]
    private static partial void LogClientBodyFailed(ILogger logger, string method, string path, int status, string reason);
}
