namespace Berth.Core.Metadata;

/// <summary>A registry's tag immutability rules as stored: a JSON array the registry layer reads and writes.</summary>
public sealed record TagImmutabilityRecord(string RulesJson, DateTimeOffset UpdatedAt);
