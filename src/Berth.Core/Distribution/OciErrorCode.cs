namespace Berth.Core.Distribution;

/// <summary>
/// The one table of OCI Distribution error codes: the wire code, the HTTP status and the default message.
/// Every /v2 error Berth sends comes from here.
/// </summary>
public sealed record OciErrorCode(string Code, int Status, string Message)
{
    public static readonly OciErrorCode BlobUnknown = new("BLOB_UNKNOWN", 404, "blob unknown to registry");
    public static readonly OciErrorCode BlobUploadInvalid = new("BLOB_UPLOAD_INVALID", 400, "blob upload invalid");
    public static readonly OciErrorCode BlobUploadUnknown = new("BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry");
    public static readonly OciErrorCode DigestInvalid = new("DIGEST_INVALID", 400, "provided digest did not match uploaded content");
    public static readonly OciErrorCode ManifestBlobUnknown = new("MANIFEST_BLOB_UNKNOWN", 400, "manifest references a manifest or blob unknown to registry");
    public static readonly OciErrorCode ManifestInvalid = new("MANIFEST_INVALID", 400, "manifest invalid");
    public static readonly OciErrorCode ManifestUnknown = new("MANIFEST_UNKNOWN", 404, "manifest unknown to registry");
    public static readonly OciErrorCode NameInvalid = new("NAME_INVALID", 400, "invalid repository name");
    public static readonly OciErrorCode NameUnknown = new("NAME_UNKNOWN", 404, "repository name not known to registry");
    public static readonly OciErrorCode SizeInvalid = new("SIZE_INVALID", 400, "provided length did not match content length");
    public static readonly OciErrorCode Unauthorized = new("UNAUTHORIZED", 401, "authentication required");
    public static readonly OciErrorCode Denied = new("DENIED", 403, "requested access to the resource is denied");
    public static readonly OciErrorCode Unsupported = new("UNSUPPORTED", 405, "the operation is unsupported");
    public static readonly OciErrorCode TooManyRequests = new("TOOMANYREQUESTS", 429, "too many requests");

    /// <summary>
    /// The metadata database is busy (a lock or connection not had in time): nothing changed, retry after the
    /// Retry-After header. Distribution's error-code registry knows the code, so docker and containerd retry it.
    /// </summary>
    public static readonly OciErrorCode Unavailable = new("UNAVAILABLE", 503, "service unavailable; the request may be retried");

    public static readonly OciErrorCode PaginationNumberInvalid = new("PAGINATION_NUMBER_INVALID", 400, "invalid number of results requested");

    /// <summary>A chunk that does not continue the upload where it stands (spec: 416 Range Not Satisfiable).</summary>
    public static readonly OciErrorCode RangeInvalid = new("BLOB_UPLOAD_INVALID", 416, "requested range not satisfiable");

    /// <summary>A blob chunk whose body arrived slower than the server's minimum data rate (HTTP 408 Request Timeout).</summary>
    public static readonly OciErrorCode BlobUploadBodyTimeout = new("BLOB_UPLOAD_INVALID", 408, "the request body did not arrive in time");

    /// <summary>A manifest whose body arrived slower than the server's minimum data rate (HTTP 408 Request Timeout).</summary>
    public static readonly OciErrorCode ManifestBodyTimeout = new("MANIFEST_INVALID", 408, "the request body did not arrive in time");

    /// <summary>A manifest over the size limit (spec: registries may answer 413).</summary>
    public static readonly OciErrorCode ManifestTooLarge = new("SIZE_INVALID", 413, "manifest too large");
}
