using Berth.Api;
using Berth.Core.Metadata;
using Berth.Registry.Retention;

namespace Berth.Registry.Tests.Retention;

/// <summary>
/// The cleanup plan of one repository, from its contents alone: which tags the rules select and keep, which untagged
/// manifests go, and what is never deleted (in a kept index, the subject of a kept referrer, pulled recently, immutable).
/// </summary>
public sealed class RepositoryCleanupTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Protect = TimeSpan.FromHours(1);

    private readonly List<CleanupTag> _tags = [];
    private readonly List<CleanupManifest> _manifests = [];
    private readonly List<CleanupIndexLink> _links = [];

    [Fact]
    public void ARuleKeepsTheMostRecentlyPushedAndMakesTheRestCandidates()
    {
        for (var i = 1; i <= 5; i++)
        {
            Image($"v{i}", pushedDaysAgo: 10 - i);
        }

        var plan = Plan([Rule("**", "^v", keepMostRecent: 2)]);

        Assert.Equal(["v1", "v2", "v3"], plan.Tags.Select(t => t.Name));
        Assert.Equal(Digest("v1"), plan.Tags[0].ManifestDigest);
        Assert.Empty(plan.Manifests);
    }

    [Fact]
    public void EqualPushTimesAreOrderedByNameSoThePlanIsStable()
    {
        Image("b", pushedDaysAgo: 3);
        Image("a", pushedDaysAgo: 3);
        Image("c", pushedDaysAgo: 3);

        // Newest first, name breaking ties: a, b, c; the first is kept.
        Assert.Equal(["b", "c"], Plan([Rule("**", keepMostRecent: 1)]).Tags.Select(t => t.Name));
    }

    [Fact]
    public void RecentlyPushedAndRecentlyPulledTagsAreKept()
    {
        Image("old", pushedDaysAgo: 40);
        Image("fresh", pushedDaysAgo: 2);
        Image("used", pushedDaysAgo: 40, pulledDaysAgo: 5);

        var plan = Plan([Rule("**", keepPushedWithinDays: 7, keepPulledWithinDays: 30)]);

        Assert.Equal(["old"], plan.Tags.Select(t => t.Name));
    }

    [Fact]
    public void ExcludedAndUnselectedTagsAreNeverTouchedAndATagKeptByAnyRuleIsKept()
    {
        Image("v1", pushedDaysAgo: 30);
        Image("v1-keep", pushedDaysAgo: 30);
        Image("latest", pushedDaysAgo: 30);
        Image("v2", pushedDaysAgo: 1);

        var plan = Plan(
        [
            Rule("**", "^v", excludeTagPattern: "-keep$"),
            // A second rule keeps v2 (pushed within a week) although the first makes it a candidate.
            Rule("**", "^v2$", keepPushedWithinDays: 7),
        ]);

        Assert.Equal(["v1"], plan.Tags.Select(t => t.Name));
    }

    [Fact]
    public void ImmutableAndRecentlyPulledCandidateTagsAreProtected()
    {
        Image("v1", pushedDaysAgo: 30);
        Image("v2", pushedDaysAgo: 30, pulledMinutesAgo: 10);
        Image("v3", pushedDaysAgo: 30);

        var plan = Plan([Rule("**")], immutable: tag => tag == "v1");

        Assert.Equal(["v3"], plan.Tags.Select(t => t.Name));
        Assert.Equal([new CleanupProtection("v1", RepositoryCleanup.Immutable), new CleanupProtection("v2", RepositoryCleanup.PulledRecently)],
            plan.Protected);
    }

    [Fact]
    public void UntaggedManifestsGoOnlyOnceOldEnoughAndOnlyWhenAsked()
    {
        Manifest("old", createdHoursAgo: 48);
        Manifest("young", createdHoursAgo: 2);
        Manifest("retagged-away", createdHoursAgo: 100, untaggedHoursAgo: 3);

        Assert.Empty(Plan([], untaggedHours: null).Manifests);
        Assert.Equal([Digest("old")], Plan([], untaggedHours: 24).Manifests);
        Assert.Equal([Digest("old"), Digest("retagged-away")], Plan([], untaggedHours: 3).Manifests);
    }

    [Fact]
    public void WithZeroHoursAManifestLosingItsLastTagInThePlanGoesToo()
    {
        Image("v1", pushedDaysAgo: 30);
        Image("v2", pushedDaysAgo: 30);
        // v1's manifest keeps another tag no rule selects: only the tag goes.
        _tags.Add(new CleanupTag("stable", Digest("v1"), Now.AddDays(-30)));

        var zero = Plan([Rule("**", "^v")], untaggedHours: 0);
        Assert.Equal(["v1", "v2"], zero.Tags.Select(t => t.Name));
        Assert.Equal([Digest("v2")], zero.Manifests);

        // With a window, the manifest only just lost its tag: it waits for the next run.
        Assert.Empty(Plan([Rule("**", "^v")], untaggedHours: 1).Manifests);
    }

    [Fact]
    public void AChildOfAStayingIndexIsKeptAndOfADeletedIndexGoes()
    {
        Manifest("amd64", createdHoursAgo: 100);
        Manifest("arm64", createdHoursAgo: 100);
        Image("multi", pushedDaysAgo: 30);
        Index("multi", "amd64", "arm64");

        var kept = Plan([Rule("**", "^keep$")], untaggedHours: 24);
        Assert.Empty(kept.Manifests);
        Assert.Equal([new CleanupProtection(Digest("amd64"), RepositoryCleanup.InKeptIndex), new CleanupProtection(Digest("arm64"), RepositoryCleanup.InKeptIndex)],
            kept.Protected.OrderBy(p => p.Reference, StringComparer.Ordinal));

        var deleted = Plan([Rule("**")], untaggedHours: 0);
        Assert.Equal(["multi"], deleted.Tags.Select(t => t.Name));
        // The index goes first: its children are still listed by it until then.
        Assert.Equal(Digest("multi"), deleted.Manifests[0]);
        Assert.Equal([Digest("amd64"), Digest("arm64")], deleted.Manifests.Skip(1).Order(StringComparer.Ordinal));
        Assert.Empty(deleted.Protected);
    }

    [Fact]
    public void AChildListedByAnotherStayingIndexIsKept()
    {
        Manifest("shared", createdHoursAgo: 100);
        Image("old-index", pushedDaysAgo: 30);
        Image("new-index", pushedDaysAgo: 1);
        Index("old-index", "shared");
        Index("new-index", "shared");

        var plan = Plan([Rule("**", keepMostRecent: 1)], untaggedHours: 0);

        Assert.Equal([Digest("old-index")], plan.Manifests);
        Assert.Equal([new CleanupProtection(Digest("shared"), RepositoryCleanup.InKeptIndex)], plan.Protected);
    }

    [Fact]
    public void AReferrerOfAKeptSubjectIsKeptAndOfADeletedSubjectGoesFirst()
    {
        Image("app", pushedDaysAgo: 30);
        Manifest("signature", createdHoursAgo: 1, subject: Digest("app"));
        Manifest("sbom", createdHoursAgo: 1, subject: Digest("app"));

        var kept = Plan([Rule("**", keepMostRecent: 1)], untaggedHours: 0);
        Assert.Empty(kept.Manifests);
        Assert.All(kept.Protected, p => Assert.Equal(RepositoryCleanup.SubjectKept, p.Reason));
        Assert.Equal(2, kept.Protected.Count);

        // With a window, the subject only just loses its tag: it stays, and so do its young referrers.
        Assert.Empty(Plan([Rule("**")], untaggedHours: 24).Manifests);

        // With 0 it goes, and its referrers with it, before it.
        var deleted = Plan([Rule("**")], untaggedHours: 0);
        Assert.Equal(3, deleted.Manifests.Count);
        Assert.Equal(Digest("app"), deleted.Manifests[^1]);
        Assert.Empty(deleted.Protected);
    }

    [Fact]
    public void AnOldUntaggedSubjectGoesWithItsReferrersReferrersFirst()
    {
        Manifest("app", createdHoursAgo: 48);
        Manifest("signature", createdHoursAgo: 1, subject: Digest("app"));
        Manifest("signature-of-signature", createdHoursAgo: 1, subject: Digest("signature"));

        var plan = Plan([], untaggedHours: 24);

        Assert.Equal([Digest("signature-of-signature"), Digest("signature"), Digest("app")], plan.Manifests);
    }

    [Fact]
    public void APulledManifestIsProtectedAndKeepsWhatItLists()
    {
        Manifest("child", createdHoursAgo: 100);
        Manifest("index", createdHoursAgo: 100, pulledMinutesAgo: 5);
        Index("index", "child");

        var plan = Plan([], untaggedHours: 24);

        Assert.Empty(plan.Manifests);
        Assert.Equal(
            [new CleanupProtection(Digest("child"), RepositoryCleanup.InKeptIndex), new CleanupProtection(Digest("index"), RepositoryCleanup.PulledRecently)],
            plan.Protected);
    }

    [Fact]
    public void AReferrerWhoseSubjectIsNotInTheRepositoryIsAnOrdinaryUntaggedManifest()
    {
        Manifest("dangling", createdHoursAgo: 48, subject: Digest("gone"));

        Assert.Equal([Digest("dangling")], Plan([], untaggedHours: 24).Manifests);
    }

    private RepositoryPlan Plan(IReadOnlyList<CleanupRule> rules, int? untaggedHours = null, Func<string, bool>? immutable = null) =>
        RepositoryCleanup.Plan(new CleanupRepositoryContents(_tags, _manifests, _links), rules, untaggedHours, Now, Protect, immutable ?? (_ => false));

    private static CleanupRule Rule(string repositories, string? tagPattern = null, string? excludeTagPattern = null, int? keepMostRecent = null,
        int? keepPulledWithinDays = null, int? keepPushedWithinDays = null)
    {
        Assert.True(CleanupRule.TryParse(new CleanupRuleView(repositories, tagPattern, excludeTagPattern, keepMostRecent, keepPulledWithinDays,
            keepPushedWithinDays), "rules[0]", out var rule, out var error), error);
        return rule;
    }

    /// <summary>A manifest tagged with its own name.</summary>
    private void Image(string name, int pushedDaysAgo, int? pulledDaysAgo = null, int? pulledMinutesAgo = null)
    {
        var pulled = pulledDaysAgo is { } days ? Now.AddDays(-days) : pulledMinutesAgo is { } minutes ? Now.AddMinutes(-minutes) : (DateTimeOffset?)null;
        _manifests.Add(new CleanupManifest(Digest(name), Now.AddDays(-pushedDaysAgo), null, null, 100, pulled));
        _tags.Add(new CleanupTag(name, Digest(name), Now.AddDays(-pushedDaysAgo)));
    }

    private void Manifest(string name, int createdHoursAgo, int? untaggedHoursAgo = null, string? subject = null, int? pulledMinutesAgo = null) =>
        _manifests.Add(new CleanupManifest(Digest(name), Now.AddHours(-createdHoursAgo), untaggedHoursAgo is { } hours ? Now.AddHours(-hours) : null,
            subject, 100, pulledMinutesAgo is { } minutes ? Now.AddMinutes(-minutes) : null));

    private void Index(string index, params string[] children) =>
        _links.AddRange(children.Select(c => new CleanupIndexLink(Digest(index), Digest(c))));

    private static string Digest(string name) => "sha256:" + name;
}
