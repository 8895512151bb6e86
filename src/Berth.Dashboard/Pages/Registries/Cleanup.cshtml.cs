using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Registry.Retention;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// The registry's cleanup policy: everyone who sees the registry reads it; owners edit it (rule rows, untagged
/// manifests, schedule) and Save (303 back here). "Preview (dry run)" is a GET (<c>?preview=true</c>, developers and
/// up) of the saved policy's dry run: it deletes nothing. "Run now" posts to the runs page.
/// </summary>
public sealed class CleanupModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, CleanupPolicies policies,
    CleanupPlanner planner) : PageModel
{
    /// <summary>Blank rule rows offered below the policy's rules.</summary>
    public const int BlankRows = 2;

    /// <summary>Rows of each preview list shown; the counts and bytes cover all of them.</summary>
    public const int PreviewRows = 200;

    public RegistrySummary Summary { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    public CleanupPolicyResponse Policy { get; private set; } = null!;

    /// <summary>The saved policy's dry run, asked for with <c>?preview=true</c>.</summary>
    public CleanupDryRunResponse? Preview { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public string? Error { get; private set; }

    [BindProperty]
    public List<CleanupRuleInput> Rules { get; set; } = [];

    [BindProperty]
    public int? UntaggedOlderThanHours { get; set; }

    [BindProperty]
    public string Schedule { get; set; } = "off";

    public bool CanEdit => Role == ProjectRole.Owner;

    public bool CanRun => Role is ProjectRole.Owner or ProjectRole.Developer;

    public async Task OnGetAsync(string name, bool preview)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, preview ? ProjectRole.Developer : ProjectRole.Viewer, ct);
        await LoadAsync(registry, role);
        Edit(Policy);
        if (!preview)
        {
            return;
        }

        var (policy, _) = await policies.GetAsync(registry, ct);
        if (policy is null)
        {
            Error = "There is no cleanup policy to preview yet: save one first.";
            return;
        }

        Preview = (await planner.PlanAsync(registry, policy, ct)).ToResponse();
    }

    public async Task<IActionResult> OnPostSaveAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        try
        {
            var saved = await policies.SetAsync(registry, ToRequest(), AuditActor.From(HttpContext), ct);
            Notice = saved.Rules.Count == 0 && saved.UntaggedOlderThanHours is null
                ? "Policy saved: it deletes nothing."
                : $"Policy saved: {Display.Count(saved.Rules.Count, "rule", "rules")}, schedule {saved.Schedule}"
                    + (saved.NextRunAt is { } next ? $", next run {Display.Time(next)}." : ".");
        }
        catch (ManagementException ex) when (ex.Status == StatusCodes.Status400BadRequest)
        {
            Error = ex.Message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync(registry, role);
            AddBlankRows();
            return Page();
        }

        return new SeeOtherResult($"/registries/{registry.Name}/cleanup");
    }

    public async Task<IActionResult> OnPostDeleteAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        await policies.DeleteAsync(registry, AuditActor.From(HttpContext), ct);
        Notice = "Policy removed: nothing is cleaned up, no run is scheduled.";
        return new SeeOtherResult($"/registries/{registry.Name}/cleanup");
    }

    private async Task LoadAsync(RegistryRecord registry, ProjectRole role)
    {
        var ct = HttpContext.RequestAborted;
        Role = role;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Policy = await policies.DescribeAsync(registry, ct);
    }

    /// <summary>The form's fields: the stored policy's rules, then blank rows.</summary>
    private void Edit(CleanupPolicyResponse policy)
    {
        Rules = [.. policy.Rules.Select(r => new CleanupRuleInput
        {
            Repositories = r.Repositories,
            TagPattern = r.TagPattern,
            ExcludeTagPattern = r.ExcludeTagPattern,
            KeepMostRecent = r.KeepMostRecent,
            KeepPulledWithinDays = r.KeepPulledWithinDays,
            KeepPushedWithinDays = r.KeepPushedWithinDays,
        })];
        UntaggedOlderThanHours = policy.UntaggedOlderThanHours;
        Schedule = policy.Schedule;
        AddBlankRows();
    }

    private void AddBlankRows()
    {
        Rules = [.. Rules.Where(r => !r.IsBlank), .. Enumerable.Range(0, BlankRows).Select(_ => new CleanupRuleInput())];
    }

    /// <summary>The form as the API's request; blank rows dropped, empty fields as absent (patterns as typed: a space may matter).</summary>
    private CleanupPolicyRequest ToRequest() => new(
        [.. Rules.Where(r => !r.IsBlank).Select(r => new CleanupRuleView(
            Trimmed(r.Repositories), NullIfEmpty(r.TagPattern), NullIfEmpty(r.ExcludeTagPattern), r.KeepMostRecent, r.KeepPulledWithinDays, r.KeepPushedWithinDays))],
        UntaggedOlderThanHours,
        string.IsNullOrWhiteSpace(Schedule) ? "off" : Schedule.Trim());

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
