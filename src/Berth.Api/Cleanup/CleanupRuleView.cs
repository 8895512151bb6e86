namespace Berth.Api;

/// <summary>
/// One rule of a cleanup policy: of the tags in the repositories matching <see cref="Repositories"/> (a glob, <c>**</c>
/// for all) whose name matches <see cref="TagPattern"/> and not <see cref="ExcludeTagPattern"/>, it keeps the
/// <see cref="KeepMostRecent"/> most recently pushed and those pulled or pushed within the given days; the rest of its
/// selection are deletion candidates.
/// </summary>
public sealed record CleanupRuleView(
    string? Repositories,
    string? TagPattern,
    string? ExcludeTagPattern,
    int? KeepMostRecent,
    int? KeepPulledWithinDays,
    int? KeepPushedWithinDays);
