using System.Text.Json;

namespace Berth.Scanning.Advisories;

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
