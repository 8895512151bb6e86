namespace Berth.Api;

/// <summary>
/// One rule of a cleanup policy: it selects the tags of the repositories matching <see cref="Repositories"/> (a glob,
/// <c>**</c> for all) whose name matches <see cref="TagPattern"/> and not <see cref="ExcludeTagPattern"/>; of those it
/// keeps the <see cref="KeepMostRecent"/> most recently pushed, those pulled within <see cref="KeepPulledWithinDays"/>
/// and those pushed within <see cref="KeepPushedWithinDays"/>. The rest of its selection are deletion candidates.
/// </summary>
public sealed record CleanupRuleView(
    string? Repositories,
    string? TagPattern = null,
    string? ExcludeTagPattern = null,
    int? KeepMostRecent = null,
    int? KeepPulledWithinDays = null,
    int? KeepPushedWithinDays = null);
