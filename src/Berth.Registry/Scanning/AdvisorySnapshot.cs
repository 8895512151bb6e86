using Berth.Scanning.Advisories;

namespace Berth.Registry.Scanning;

/// <summary>The advisories one scan matches against: the database version they make up, and the index over them.</summary>
public sealed record AdvisorySnapshot(long Version, int AdvisoryCount, AdvisoryMatcher Matcher);
