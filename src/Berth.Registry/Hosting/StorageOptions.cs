using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

public sealed class StorageOptions
{
    public const string FileSystemProvider = "filesystem";
    public const string S3Provider = "s3";

    /// <summary><c>filesystem</c> (<c>&lt;DataDir&gt;/blobs</c>) or <c>s3</c> (any S3-compatible object store).</summary>
    [RegularExpression("^(filesystem|s3)$", ErrorMessage = "Berth:Storage:Provider must be 'filesystem' or 's3'.")]
    public string Provider { get; set; } = FileSystemProvider;

    [ValidateObjectMembers]
    public S3StorageOptions S3 { get; set; } = new();
}
