using Amazon.Runtime;

namespace Berth.Storage.S3;

/// <summary>Where and how <see cref="S3BlobDriver"/> stores blobs.</summary>
/// <param name="Bucket">The bucket; it must exist (the driver never creates or deletes buckets).</param>
/// <param name="Region">The signing region ("us-east-1" for most S3-compatible servers).</param>
/// <param name="ServiceUrl">The endpoint of an S3-compatible server (e.g. http://127.0.0.1:9000), or null for AWS itself.</param>
/// <param name="ForcePathStyle">Address the bucket in the path rather than as a host name, as most S3-compatible servers need.</param>
/// <param name="Prefix">Prepended to every key, so several deployments can share a bucket; "" for none.</param>
/// <param name="PartSize">
/// Bytes buffered per writer and sent as one multipart part. S3 allows at most 10,000 parts, so this also caps a
/// single blob at 10,000 × PartSize (156 GiB at the default 16 MiB).
/// </param>
/// <param name="RedirectGets">Hand clients pre-signed GET URLs instead of streaming blobs through Berth.</param>
/// <param name="Credentials">Explicit credentials, or null for the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles).</param>
public sealed record S3BlobDriverOptions(
    string Bucket,
    string Region = "us-east-1",
    Uri? ServiceUrl = null,
    bool ForcePathStyle = false,
    string Prefix = "",
    int PartSize = S3BlobDriverOptions.DefaultPartSize,
    bool RedirectGets = false,
    AWSCredentials? Credentials = null)
{
    public const int DefaultPartSize = 16 * 1024 * 1024;

    /// <summary>S3's minimum for every part but the last.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;
}
