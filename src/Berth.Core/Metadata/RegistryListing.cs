namespace Berth.Core.Metadata;

/// <summary>A registry as lists show it: its record and its usage, read together in the page's one query.</summary>
public sealed record RegistryListing(RegistryRecord Registry, RegistryUsage Usage);
