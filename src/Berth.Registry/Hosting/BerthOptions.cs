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
}

/// <summary>Configuration section <c>Berth:Metrics</c>: who may read <c>/metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// The bearer token a scraper must send (<c>Authorization: Bearer &lt;token&gt;</c>); the series name every
    /// tenant's registries, so without a token <c>/metrics</c> is not served at all.
    /// </summary>
    public string? Token { get; set; }

    public const int MinTokenLength = 16;
}

public sealed class MetadataOptions
{
    public const string SqliteProvider = "sqlite";
    public const string PostgresProvider = "postgres";

    /// <summary><c>sqlite</c> (embedded, one node: <c>&lt;DataDir&gt;/berth.db</c>) or <c>postgres</c> (shared by every node).</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Berth:Metadata:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>The Npgsql connection string, with <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// With <c>sqlite</c>: how long a write waits for the database (one writer at a time) before the request is
    /// answered 503 with <c>Retry-After</c>. With <c>postgres</c>, the connection string's <c>Timeout</c> (a pooled
    /// connection) and the server's <c>lock_timeout</c> play this part.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

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

/// <summary>Checks that the chosen providers have what they need.</summary>
public sealed class BerthOptionsValidator : IValidateOptions<BerthOptions>
{
    public ValidateOptionsResult Validate(string? name, BerthOptions options)
    {
        var failures = new List<string>();
        if (options.Metadata.Provider == MetadataOptions.PostgresProvider && string.IsNullOrWhiteSpace(options.Metadata.ConnectionString))
        {
            failures.Add("Berth:Metadata:ConnectionString is required when Berth:Metadata:Provider is 'postgres'.");
        }

        if (options.Storage.Provider == StorageOptions.S3Provider && string.IsNullOrWhiteSpace(options.Storage.S3.Bucket))
        {
            failures.Add("Berth:Storage:S3:Bucket is required when Berth:Storage:Provider is 's3'.");
        }

        foreach (var proxy in options.TrustedProxies)
        {
            if (!ForwardedHeaders.TryParse(proxy, out _))
            {
                failures.Add($"Berth:TrustedProxies: '{proxy}' is not an IP address or a CIDR range (e.g. 10.0.0.0/8).");
            }
        }

        if (options.Auth.MaxLoginDelay >= options.Auth.FailedLoginMemory)
        {
            failures.Add("Berth:Auth:MaxLoginDelay must be shorter than Berth:Auth:FailedLoginMemory (failures must outlive the wait they cause).");
        }

        if (options.Metrics.Token is { } token && token.Length < MetricsOptions.MinTokenLength)
        {
            failures.Add($"Berth:Metrics:Token must be at least {MetricsOptions.MinTokenLength} characters (or unset, which turns /metrics off).");
        }

        if (options.Scanning.Timeout + options.Scanning.MaxDeferral >= options.Scanning.ClaimTimeout)
        {
            failures.Add("Berth:Scanning:Timeout plus MaxDeferral must be shorter than Berth:Scanning:ClaimTimeout (a scan still running must not be taken over).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public sealed class UploadOptions
{
    /// <summary>An upload session untouched this long is abandoned: it and its bytes are deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MaxIdle { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often abandoned sessions are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Upload sessions a registry may have open at once (each is a metadata row and a directory); starting one more is
    /// answered <c>429 TOOMANYREQUESTS</c> until some end (complete, cancel, or abandoned past <see cref="MaxIdle"/>).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxSessionsPerRegistry { get; set; } = 1000;
}

/// <summary>
/// Configuration section <c>Berth:Collection</c>: the background collector of storage nothing refers to (blobs no
/// manifest references, files no metadata accounts for, staged uploads with no session).
/// </summary>
public sealed class CollectionOptions
{
    /// <summary>
    /// How long something unreferenced is kept before it is collected; the clock restarts whenever a client relies on a
    /// blob (upload, mount, HEAD), so it must outlast the slowest push. At least 2 s: a HEAD does not record its check
    /// again within a second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "365.00:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often blobs linked into a repository but referenced by no manifest are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often the whole storage is listed for crash leftovers (files no metadata row accounts for): it costs a
    /// listing of every stored object, and leftovers are rare.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "30.00:00:00")]
    public TimeSpan StorageSweepInterval { get; set; } = TimeSpan.FromDays(1);
}

public sealed class StatsOptions
{
    /// <summary>How often pull counts gathered in memory are written to the metadata store (one batch each time).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Configuration section <c>Berth:Scanning</c>: the vulnerability scanner.</summary>
public sealed class ScanningOptions
{
    /// <summary>Queue a scan of every image manifest pushed (in the background: the push never waits for it).</summary>
    public bool ScanOnPush { get; set; } = true;

    /// <summary>Scans this node runs at once; 0 leaves scanning to other nodes (pushes through this node are still queued).</summary>
    [Range(0, 64)]
    public int Workers { get; set; } = 1;

    /// <summary>How often an idle node looks for scans that other nodes queued (its own wake it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A scan starts once no blob transfer has run on the node for this long (a push is usually followed by a pull
    /// within moments), deferred at most <see cref="MaxDeferral"/>; 0 starts at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxDeferral { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A scan that takes longer fails with a reason.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A scan claimed this long ago and still running is taken over (its node died).</summary>
    [Range(typeof(TimeSpan), "00:00:02", "1.00:00:00")]
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Largest advisory upload (<c>POST /api/v1/vulndb</c>) accepted: osv.dev's per-ecosystem archives reach hundreds of MB.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxImportBytes { get; set; } = 2L * 1024 * 1024 * 1024;
}

public sealed class AdminOptions
{
    /// <summary>Password of the bootstrap <c>admin</c> account, used only on first start (when no admin exists yet).</summary>
    public string? Password { get; set; }
}

public sealed class AuthOptions
{
    /// <summary>Token signing key shared by every node (any string of 32+ characters); when unset, one is generated and kept in the metadata store.</summary>
    [MinLength(32)]
    public string? SigningKey { get; set; }

    /// <summary>
    /// Keys that still verify tokens but no longer sign them: to rotate, make the old key the previous one and set a
    /// new <see cref="SigningKey"/> on every node; remove it after a token lifetime.
    /// </summary>
    public string[] PreviousSigningKeys { get; set; } = [];

    /// <summary>Lifetime of bearer tokens.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of OAuth2 refresh tokens (<c>access_type=offline</c>); they die with the password anyway.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a successful Basic verification is remembered (it is still revoked at once by a reset).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan BasicCacheLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Failed logins one client (a username from one address) may make before each further attempt must wait
    /// <see cref="FirstLoginDelay"/>, then twice as long after every failure, up to <see cref="MaxLoginDelay"/>. Other
    /// addresses are never slowed by it.
    /// </summary>
    [Range(1, 1000)]
    public int FailedLoginsBeforeDelay { get; set; } = 5;

    /// <summary>
    /// Failed logins one address may make across every username before its attempts wait the same way; usernames that
    /// signed in from that address within <see cref="KnownClientMemory"/> are not slowed by it.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxFailedLoginsPerAddress { get; set; } = 30;

    /// <summary>The first wait of a throttled client; each further failure doubles it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan FirstLoginDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts of a throttled client.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxLoginDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed logins are forgotten this long after the last one.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "30.00:00:00")]
    public TimeSpan FailedLoginMemory { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a successful login exempts that username at that address from the address's throttling.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan KnownClientMemory { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long the password a reset or change replaced is recognised: a client still sending it is told so, and its
    /// failures never count toward throttling.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan PreviousPasswordWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The <c>service</c> name in challenges and tokens.</summary>
    [Required]
    public string Service { get; set; } = "berth";
}

public sealed class RegistryDefaultsOptions
{
    [Range(1L, long.MaxValue)]
    public long DefaultStorageLimitBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>
    /// Wait before purging a deleted registry's content (default none). The registry is unreachable from the
    /// moment of the delete either way; a delay gives in-flight requests time to end first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan PurgeDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Rows a purge of a deleted registry or repository removes per transaction. Each batch holds the database
    /// (SQLite's one writer) for about 10–30 ms and is followed by a pause as long, so other tenants' writes never
    /// queue for long behind a big delete (see bench/README.md, "Big delete").
    /// </summary>
    [Range(1, 100_000)]
    public int PurgeBatchSize { get; set; } = 250;
}
