using System.Text.Json;

namespace Berth.Scanning.Advisories;

/// <summary>One OSV advisory (https://ossf.github.io/osv-schema/), reduced to the fields matching and reporting use.</summary>
public sealed record OsvAdvisory
{
    public required string Id { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Upstream advisories this one is derived from (schema 1.7), e.g. the CVEs a DSA fixes.</summary>
    public IReadOnlyList<string> Upstream { get; init; } = [];

    public string? Summary { get; init; }

    public string? Details { get; init; }

    public IReadOnlyList<OsvSeverity> Severity { get; init; } = [];

    public IReadOnlyList<OsvAffected> Affected { get; init; } = [];

    public DateTimeOffset? Published { get; init; }

    public DateTimeOffset? Modified { get; init; }

    /// <summary>Set when the advisory was retracted; a withdrawn advisory never matches.</summary>
    public DateTimeOffset? Withdrawn { get; init; }

    /// <summary>The database's own extra data; GitHub puts its severity text here ("severity": "HIGH").</summary>
    public JsonElement? DatabaseSpecific { get; init; }
}

/// <summary>A severity entry: <see cref="Type"/> is CVSS_V2, CVSS_V3, CVSS_V4 or a distro's own ("Ubuntu").</summary>
public sealed record OsvSeverity(string Type, string Score);

public sealed record OsvAffected
{
    public OsvPackage? Package { get; init; }

    public IReadOnlyList<OsvSeverity> Severity { get; init; } = [];

    public IReadOnlyList<OsvRange> Ranges { get; init; } = [];

    /// <summary>Affected versions listed one by one; they match exactly.</summary>
    public IReadOnlyList<string> Versions { get; init; } = [];

    public JsonElement? EcosystemSpecific { get; init; }

    public JsonElement? DatabaseSpecific { get; init; }
}

public sealed record OsvPackage(string Ecosystem, string Name, string? Purl);

/// <summary>A version range: <see cref="Type"/> is ECOSYSTEM, SEMVER or GIT.</summary>
public sealed record OsvRange(string Type, IReadOnlyList<OsvEvent> Events);

/// <summary>One range event; exactly one of the four is set.</summary>
public sealed record OsvEvent(string? Introduced, string? Fixed, string? LastAffected, string? Limit);
