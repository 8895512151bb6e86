namespace Berth.Registry.Hosting;

/// <summary>Configuration section <c>Berth:Storage:S3</c>; credentials come from the usual AWS environment variables.</summary>
public sealed class S3StorageOptions
{
    public string? Bucket { get; set; }

    /// <summary>The S3 API endpoint, e.g. <c>https://s3.example.com</c>; unset means AWS itself (by <see cref="Region"/>).</summary>
    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style URLs (<c>host/bucket/key</c>), which most self-hosted S3 servers need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>A key prefix inside the bucket, to share a bucket with other data.</summary>
    public string? Prefix { get; set; }

    /// <summary>Answer blob GETs with a redirect to a pre-signed URL instead of streaming through Berth.</summary>
    public bool RedirectGets { get; set; }
}
