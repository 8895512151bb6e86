using Berth.Scanning.Versions;

namespace Berth.Scanning.Advisories;

/// <summary>
/// Matches installed packages against OSV advisories. The advisories are indexed once by (ecosystem, package name),
/// so matching one package costs a dictionary lookup plus the few advisories naming that package.
/// </summary>
public sealed class AdvisoryMatcher
{
    // What a finding reports of an advisory, computed once when it is indexed.
    private sealed record Reported(string Id, IReadOnlyList<string> Aliases, string? Summary);

    // Only what matching reads is kept: the advisory's parsed document (prose, references, the JSON extras kept as
    // cloned documents) is garbage once indexed, which is most of its memory.
    private readonly record struct Candidate(Reported Advisory, OsvAffected Affected, Severity Severity, IVersionComparer? Comparer);

    private readonly Dictionary<(string Ecosystem, string Name), List<Candidate>> _index = [];

    public AdvisoryMatcher(IEnumerable<OsvAdvisory> advisories)
    {
        foreach (var advisory in advisories)
        {
            Add(advisory);
        }
    }

    private AdvisoryMatcher()
    {
    }

    /// <summary>Builds the index as the advisories stream in, holding none of their documents longer than it takes to index one.</summary>
    public static async Task<AdvisoryMatcher> BuildAsync(IAsyncEnumerable<OsvAdvisory> advisories, CancellationToken cancellationToken = default)
    {
        var matcher = new AdvisoryMatcher();
        await foreach (var advisory in advisories.WithCancellation(cancellationToken))
        {
            matcher.Add(advisory);
        }

        return matcher;
    }

    /// <summary>Advisories indexed (withdrawn ones are skipped, and not counted).</summary>
    public int AdvisoryCount { get; private set; }

    private void Add(OsvAdvisory advisory)
    {
        // A withdrawn advisory was retracted by its database and must never produce a finding.
        if (advisory.Withdrawn is not null)
        {
            return;
        }

        AdvisoryCount++;
        // Distro advisories may list the CVEs they fix as "upstream" rather than "aliases"; report both.
        var reported = new Reported(advisory.Id, [.. advisory.Aliases.Concat(advisory.Upstream).Distinct(StringComparer.Ordinal)], advisory.Summary);
        foreach (var affected in advisory.Affected)
        {
            if (affected.Package is not { } p)
            {
                continue;
            }

            var key = Key(p.Ecosystem, p.Name);
            if (!_index.TryGetValue(key, out var list))
            {
                _index[key] = list = [];
            }

            list.Add(new Candidate(reported, new OsvAffected { Ranges = affected.Ranges, Versions = affected.Versions },
                Severity.For(advisory, affected), VersionComparers.For(p.Ecosystem)));
        }
    }

    /// <summary>Number of distinct (ecosystem, package) keys indexed.</summary>
    public int IndexedPackages => _index.Count;

    /// <summary>Findings for many packages (an image's inventory), in input order.</summary>
    public IReadOnlyList<Finding> Match(IEnumerable<Package> packages, string? osRelease = null) =>
        [.. packages.SelectMany(p => Match(p, osRelease))];

    /// <summary>
    /// Findings for one package, at most one per advisory. <paramref name="osRelease"/> (the image's distribution
    /// release, e.g. "12") stands in when the package carries no <see cref="Package.Release"/>.
    /// </summary>
    public IReadOnlyList<Finding> Match(Package package, string? osRelease = null)
    {
        var findings = new List<Finding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var release = package.Release ?? osRelease;
        var name = NamesSourcePackages(package.Ecosystem) && !string.IsNullOrEmpty(package.SourceName) ? package.SourceName : package.Name;
        foreach (var ecosystem in EcosystemsFor(package.Ecosystem, release))
        {
            if (!_index.TryGetValue(Key(ecosystem, name), out var candidates))
            {
                continue;
            }

            foreach (var candidate in candidates)
            {
                if (seen.Contains(candidate.Advisory.Id) || !IsAffected(candidate, package.Version, out var fixedVersion))
                {
                    continue;
                }

                seen.Add(candidate.Advisory.Id);
                findings.Add(new Finding(
                    candidate.Advisory.Id,
                    candidate.Advisory.Aliases,
                    package,
                    package.Version,
                    fixedVersion,
                    candidate.Severity,
                    candidate.Advisory.Summary));
            }
        }
        return findings;
    }

    // Debian's and Ubuntu's trackers and Alpine's secdb key advisories by source package (Alpine's "origin"), which a
    // binary package records as SourceName; RPM distributions' advisories list binary packages.
    private static bool NamesSourcePackages(string ecosystem) =>
        ecosystem.Equals("Debian", StringComparison.OrdinalIgnoreCase)
        || ecosystem.Equals("Ubuntu", StringComparison.OrdinalIgnoreCase)
        || ecosystem.Equals("Alpine", StringComparison.OrdinalIgnoreCase);

    // OS advisories are per release ("Debian:12", "Alpine:v3.19"; Ubuntu's also carry ":LTS"); language ecosystems
    // have none. The bare name is tried too, for databases that do not split by release.
    private static IEnumerable<string> EcosystemsFor(string ecosystem, string? release)
    {
        if (release is not null)
        {
            yield return $"{ecosystem}:{release}";
            yield return $"{ecosystem}:{release}:LTS";
        }
        yield return ecosystem;
    }

    // Ecosystems compare case-insensitively; PyPI names are normalised per PEP 503 (case and runs of -_. are
    // insignificant), other ecosystems' names are case-sensitive.
    private static (string, string) Key(string ecosystem, string name)
    {
        var eco = ecosystem.ToLowerInvariant();
        if (eco == "pypi")
        {
            name = string.Join('-', name.ToLowerInvariant().Split(['-', '_', '.'], StringSplitOptions.RemoveEmptyEntries));
        }

        return (eco, name);
    }

    private static bool IsAffected(Candidate candidate, string version, out string? fixedVersion)
    {
        fixedVersion = null;
        var affected = candidate.Affected;
        var comparer = candidate.Comparer;
        // Per the OSV spec an affected entry matches when the version is listed in `versions` or lies in a range.
        var listed = affected.Versions.Contains(version, StringComparer.Ordinal);
        var inRange = false;
        if (comparer is not null && comparer.IsValid(version))
        {
            foreach (var range in affected.Ranges)
            {
                // GIT ranges name commits, which an installed package cannot be placed against.
                if (range.Type is not ("ECOSYSTEM" or "SEMVER"))
                {
                    continue;
                }

                if (InRange(range, version, comparer) is not { } result)
                {
                    continue;
                }

                var fix = SmallestFixAbove(range, version, comparer);
                if (result)
                {
                    inRange = true;
                    fixedVersion = Min(fixedVersion, fix, comparer);
                }
                else if (listed)
                {
                    fixedVersion = Min(fixedVersion, fix, comparer);
                }
            }
        }
        return listed || inRange;
    }

    /// <summary>
    /// The OSV spec's evaluation: walk the events in version order; "introduced" (with "0" meaning the beginning)
    /// opens the vulnerable interval, "fixed" and "limit" close it at their version (exclusive), "last_affected"
    /// closes it after its version (inclusive). Null when an event's version cannot be parsed, so a range we cannot
    /// read is skipped rather than guessed at.
    /// </summary>
    private static bool? InRange(OsvRange range, string version, IVersionComparer comparer)
    {
        var events = new List<(string Version, OsvEvent Event)>();
        foreach (var e in range.Events)
        {
            var v = e.Introduced ?? e.Fixed ?? e.LastAffected ?? e.Limit;
            if (v is null || (!(e.Introduced == "0") && !comparer.IsValid(v)))
            {
                return null;
            }

            events.Add((v, e));
        }
        events.Sort((x, y) => CompareEventVersions(x.Version, x.Event, y.Version, y.Event, comparer));

        var vulnerable = false;
        foreach (var (v, e) in events)
        {
            if (e.Introduced is not null)
            {
                if (e.Introduced == "0" || comparer.Compare(version, v) >= 0)
                {
                    vulnerable = true;
                }
            }
            else if (e.Fixed is not null || e.Limit is not null)
            {
                if (comparer.Compare(version, v) >= 0)
                {
                    vulnerable = false;
                }
            }
            else if (comparer.Compare(version, v) > 0)
            {
                vulnerable = false;
            }
        }
        return vulnerable;
    }

    // "introduced: 0" precedes every version.
    private static int CompareEventVersions(string a, OsvEvent ea, string b, OsvEvent eb, IVersionComparer comparer)
    {
        var aZero = ea.Introduced == "0";
        var bZero = eb.Introduced == "0";
        if (aZero || bZero)
        {
            return aZero == bZero ? 0 : aZero ? -1 : 1;
        }

        return comparer.Compare(a, b);
    }

    private static string? SmallestFixAbove(OsvRange range, string version, IVersionComparer comparer)
    {
        string? best = null;
        foreach (var e in range.Events)
        {
            if (e.Fixed is { } f && comparer.TryCompare(f, version, out var c) && c > 0)
            {
                best = Min(best, f, comparer);
            }
        }

        return best;
    }

    private static string? Min(string? a, string? b, IVersionComparer comparer) =>
        a is null ? b : b is null ? a : comparer.Compare(a, b) <= 0 ? a : b;
}
