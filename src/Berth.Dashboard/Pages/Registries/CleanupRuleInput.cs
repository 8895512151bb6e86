namespace Berth.Dashboard.Pages.Registries;

/// <summary>One rule row of the cleanup policy editor; a row without repositories is an unused blank one.</summary>
public sealed class CleanupRuleInput
{
    public string? Repositories { get; set; }

    public string? TagPattern { get; set; }

    public string? ExcludeTagPattern { get; set; }

    public int? KeepMostRecent { get; set; }

    public int? KeepPulledWithinDays { get; set; }

    public int? KeepPushedWithinDays { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(Repositories) && string.IsNullOrWhiteSpace(TagPattern)
        && string.IsNullOrWhiteSpace(ExcludeTagPattern) && KeepMostRecent is null && KeepPulledWithinDays is null && KeepPushedWithinDays is null;
}
