using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

/// <summary>Configuration section <c>Berth</c>; bound and validated once at start.</summary>
public sealed class BerthOptions
{
    public const string Section = "Berth";

    /// <summary>Where embedded data lives: the SQLite database and filesystem blobs.</summary>
    [Required]
    public string DataDir { get; set; } = "./data";

    /// <summary>
    /// When set (e.g. <c>cr.example.com</c>), registries are addressed by host: <c>&lt;registry&gt;.cr.example.com</c>.
    /// Otherwise by path: <c>HOST/&lt;registry&gt;/&lt;repository&gt;</c>.
    /// </summary>
    public string? DomainSuffix { get; set; }

    /// <summary>Host (and port) clients use to reach Berth, for endpoints shown to users; defaults to the request's Host.</summary>
    public string? PublicHost { get; set; }

    /// <summary>
    /// Reverse proxies and load balancers (IP addresses or CIDR ranges) whose <c>X-Forwarded-For</c>, <c>-Proto</c> and
    /// <c>-Host</c> headers Berth trusts; empty (the default) trusts none.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    [ValidateObjectMembers]
    public AdminOptions Admin { get; set; } = new();

    [ValidateObjectMembers]
    public AuthOptions Auth { get; set; } = new();

    [ValidateObjectMembers]
    public RegistryDefaultsOptions Registries { get; set; } = new();

    [ValidateObjectMembers]
    public UploadOptions Uploads { get; set; } = new();

    [ValidateObjectMembers]
    public CollectionOptions Collection { get; set; } = new();

    [ValidateObjectMembers]
    public MetadataOptions Metadata { get; set; } = new();

    [ValidateObjectMembers]
    public StorageOptions Storage { get; set; } = new();

    [ValidateObjectMembers]
    public StatsOptions Stats { get; set; } = new();

    [ValidateObjectMembers]
    public ScanningOptions Scanning { get; set; } = new();

    [ValidateObjectMembers]
    public MetricsOptions Metrics { get; set; } = new();

    [ValidateObjectMembers]
    public KeyRingOptions DataProtection { get; set; } = new();

    [ValidateObjectMembers]
    public FederationOptions Federation { get; set; } = new();

    [ValidateObjectMembers]
    public RetentionOptions Retention { get; set; } = new();
}
