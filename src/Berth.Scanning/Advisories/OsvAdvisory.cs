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
