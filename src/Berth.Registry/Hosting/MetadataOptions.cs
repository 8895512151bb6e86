using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

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
