using Berth.Core.Metadata;

namespace Berth.Registry.Retention;

/// <summary>
/// The cleanup plan of one repository, from its contents alone (pure: no I/O, so the dry run and the run compute the
/// same plan from the same data, and it is tested without a database).
/// </summary>
/// <remarks>
/// Tags: each rule covering the repository selects tags, keeps some (most recently pushed, recently pulled, recently
/// pushed) and makes the rest candidates; a tag kept by any rule is kept. A candidate tag is kept if immutable or if
/// its manifest was pulled within <c>ProtectPulledWithin</c>.
/// Manifests (only when <c>untaggedOlderThanHours</c> is set): a manifest with no tag left is a candidate if untagged
/// for that long (measured from the later of its push and its last untagging); with 0, one that loses its last tag in
/// this plan is too, and so is a referrer whose subject this plan deletes. A candidate is deleted only if no staying
/// index lists it, its subject (if any, and present) does not stay, and it was not pulled recently. Deleting an index
/// or a subject can free its children and referrers, so this is computed to a fixpoint (a work list: the references
/// form a DAG, digests being content hashes).
/// </remarks>
public static class RepositoryCleanup
{
    public const string Immutable = "immutable";

    public const string PulledRecently = "pulled_recently";

    public const string InKeptIndex = "in_kept_index";

    public const string SubjectKept = "subject_kept";

    /// <param name="rules">The policy's rules covering this repository (others are ignored here).</param>
    /// <param name="isImmutable">Whether a tag name of this repository is protected by tag immutability.</param>
    public static RepositoryPlan Plan(CleanupRepositoryContents contents, IReadOnlyList<CleanupRule> rules, int? untaggedOlderThanHours,
        DateTimeOffset now, TimeSpan protectPulledWithin, Func<string, bool> isImmutable)
    {
        var manifests = contents.Manifests.ToDictionary(m => m.Digest, StringComparer.Ordinal);
        var pulledSince = now - protectPulledWithin;
        bool Pulled(string digest, DateTimeOffset since) => manifests.TryGetValue(digest, out var m) && m.LastPulledAt >= since;

        var protections = new List<CleanupProtection>();
        var deletedTags = new List<CleanupTag>();
        foreach (var tag in TagCandidates(contents.Tags, rules, now, Pulled).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (isImmutable(tag.Name))
            {
                protections.Add(new CleanupProtection(tag.Name, Immutable));
            }
            else if (Pulled(tag.ManifestDigest, pulledSince))
            {
                protections.Add(new CleanupProtection(tag.Name, PulledRecently));
            }
            else
            {
                deletedTags.Add(tag);
            }
        }

        if (untaggedOlderThanHours is not { } hours)
        {
            return new RepositoryPlan(deletedTags, [], protections);
        }

        var untaggedFor = TimeSpan.FromHours(hours);
        var tagged = contents.Tags.Select(t => t.ManifestDigest).ToHashSet(StringComparer.Ordinal);
        var deletedTagNames = deletedTags.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var stillTagged = contents.Tags.Where(t => !deletedTagNames.Contains(t.Name)).Select(t => t.ManifestDigest).ToHashSet(StringComparer.Ordinal);

        var parents = contents.IndexLinks.ToLookup(l => l.ChildDigest, l => l.IndexDigest, StringComparer.Ordinal);
        var children = contents.IndexLinks.ToLookup(l => l.IndexDigest, l => l.ChildDigest, StringComparer.Ordinal);
        var referrers = contents.Manifests.Where(m => m.SubjectDigest is not null).ToLookup(m => m.SubjectDigest!, m => m.Digest, StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);

        // Old enough to go on its own: untagged for long enough now, or (with 0) losing its last tag in this plan.
        bool Untagged(CleanupManifest m) =>
            !stillTagged.Contains(m.Digest)
            && (tagged.Contains(m.Digest) ? hours == 0 : now - Later(m.CreatedAt, m.UntaggedAt) >= untaggedFor);
        bool Candidate(CleanupManifest m) =>
            Untagged(m) || (!stillTagged.Contains(m.Digest) && m.SubjectDigest is { } subject && deleted.Contains(subject));
        bool ParentsGo(string digest) => parents[digest].All(deleted.Contains);
        bool SubjectGoes(CleanupManifest m) => m.SubjectDigest is not { } subject || !manifests.ContainsKey(subject) || deleted.Contains(subject);

        var work = new Queue<string>(contents.Manifests.Select(m => m.Digest).Order(StringComparer.Ordinal));
        while (work.TryDequeue(out var digest))
        {
            var manifest = manifests[digest];
            if (deleted.Contains(digest) || !Candidate(manifest) || Pulled(digest, pulledSince) || !ParentsGo(digest) || !SubjectGoes(manifest))
            {
                continue;
            }

            deleted.Add(digest);
            foreach (var next in children[digest].Concat(referrers[digest]).Where(manifests.ContainsKey))
            {
                work.Enqueue(next);
            }
        }

        foreach (var manifest in contents.Manifests.Where(m => !deleted.Contains(m.Digest) && Candidate(m)).OrderBy(m => m.Digest, StringComparer.Ordinal))
        {
            var reason = Pulled(manifest.Digest, pulledSince) ? PulledRecently : !ParentsGo(manifest.Digest) ? InKeptIndex : SubjectKept;
            protections.Add(new CleanupProtection(manifest.Digest, reason));
        }

        return new RepositoryPlan(deletedTags, DeletionOrder(deleted, children, manifests), protections);
    }

    /// <summary>The tags some rule makes a candidate and no rule keeps.</summary>
    private static HashSet<CleanupTag> TagCandidates(IReadOnlyList<CleanupTag> tags, IReadOnlyList<CleanupRule> rules, DateTimeOffset now,
        Func<string, DateTimeOffset, bool> pulled)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new HashSet<CleanupTag>();
        foreach (var rule in rules)
        {
            var rank = 0;
            // Newest push first; the name breaks ties so equal times give the same plan every time.
            foreach (var tag in tags.Where(t => rule.Selector.MatchesTag(t.Name)).OrderByDescending(t => t.PushedAt).ThenBy(t => t.Name, StringComparer.Ordinal))
            {
                var keep = rank++ < (rule.KeepMostRecent ?? 0)
                    || (rule.KeepPulledWithinDays is { } pulledDays && pulled(tag.ManifestDigest, now.AddDays(-pulledDays)))
                    || (rule.KeepPushedWithinDays is { } pushedDays && tag.PushedAt >= now.AddDays(-pushedDays));
                if (keep)
                {
                    kept.Add(tag.Name);
                }
                else
                {
                    candidates.Add(tag);
                }
            }
        }

        candidates.RemoveWhere(t => kept.Contains(t.Name));
        return candidates;
    }

    /// <summary>
    /// The deleted manifests in an order whose every delete is allowed when it runs: an index before the children it
    /// lists, a referrer before its subject (ties in digest order, so the order is stable).
    /// </summary>
    private static List<string> DeletionOrder(HashSet<string> deleted, ILookup<string, string> children, Dictionary<string, CleanupManifest> manifests)
    {
        var after = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var waiting = deleted.ToDictionary(d => d, _ => 0, StringComparer.Ordinal);
        void Edge(string first, string then)
        {
            if (!deleted.Contains(first) || !deleted.Contains(then))
            {
                return;
            }

            (after.TryGetValue(first, out var list) ? list : after[first] = []).Add(then);
            waiting[then]++;
        }

        foreach (var digest in deleted)
        {
            foreach (var child in children[digest].Distinct(StringComparer.Ordinal))
            {
                Edge(digest, child);
            }

            if (manifests[digest].SubjectDigest is { } subject)
            {
                Edge(digest, subject);
            }
        }

        var ready = new PriorityQueue<string, string>(StringComparer.Ordinal);
        foreach (var (digest, count) in waiting.Where(w => w.Value == 0))
        {
            ready.Enqueue(digest, digest);
        }

        var order = new List<string>(deleted.Count);
        while (ready.TryDequeue(out var digest, out _))
        {
            order.Add(digest);
            foreach (var next in after.GetValueOrDefault(digest) ?? [])
            {
                if (--waiting[next] == 0)
                {
                    ready.Enqueue(next, next);
                }
            }
        }

        return order;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset? b) => b is { } other && other > a ? other : a;
}
