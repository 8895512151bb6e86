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
/// Immutable tags: the registry's tag immutability rules. Everyone who sees the registry sees them; owners edit them
/// as rows (a blank row at the end adds a rule, a row's Remove button drops it), each change saved at once and
/// redirected (303). An invalid rule is shown back with the reason and nothing is saved.
/// </summary>
public sealed class ImmutabilityModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, TagImmutability immutability) : PageModel
{
    public RegistrySummary Summary { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    /// <summary>The rows shown: the stored rules (or those just submitted, when refused) and a blank one to add a rule.</summary>
    [BindProperty]
    public List<RuleRow> Rules { get; set; } = [];

    public DateTimeOffset? UpdatedAt { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(string name)
    {
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, HttpContext.RequestAborted);
        await LoadAsync(registry, role);
        var (rules, _) = await immutability.GetAsync(registry.Id, HttpContext.RequestAborted);
        Rules = [.. rules.Rules.Select(r => new RuleRow { Repositories = r.Repositories, TagPattern = r.TagPattern, ExcludeTagPattern = r.ExcludeTagPattern })];
    }

    /// <summary>Saves the rows, without the one whose Remove button was pressed (<paramref name="remove"/>) and blank ones.</summary>
    public async Task<IActionResult> OnPostAsync(string name, int? remove)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        var rows = Rules.Where((row, i) => i != remove && !row.IsBlank).ToList();
        try
        {
            var rules = TagImmutability.Parse([.. rows.Select(r => new ImmutabilityRuleView(r.Repositories?.Trim(), r.TagPattern, r.ExcludeTagPattern))]);
            var saved = await immutability.SetRulesAsync(registry, rules, AuditActor.From(HttpContext), ct);
            Notice = saved.IsEmpty
                ? "No immutability rules: every tag can be moved and deleted."
                : $"Saved {saved.Rules.Count} rule{(saved.Rules.Count == 1 ? "" : "s")}: the tags they cover can no longer be moved or deleted.";
        }
        catch (ManagementException ex) when (ex.Status == StatusCodes.Status400BadRequest)
        {
            Error = ex.Message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Rules = rows;
            await LoadAsync(registry, role);
            return Page();
        }

        return new SeeOtherResult($"/registries/{registry.Name}/immutability");
    }

    private async Task LoadAsync(RegistryRecord registry, ProjectRole role)
    {
        var ct = HttpContext.RequestAborted;
        Role = role;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        UpdatedAt = (await immutability.GetAsync(registry.Id, ct)).UpdatedAt;
    }

    /// <summary>One rule as the form edits it.</summary>
    public sealed class RuleRow
    {
        public string? Repositories { get; set; }

        public string? TagPattern { get; set; }

        public string? ExcludeTagPattern { get; set; }

        public bool IsBlank => string.IsNullOrWhiteSpace(Repositories) && string.IsNullOrEmpty(TagPattern) && string.IsNullOrEmpty(ExcludeTagPattern);
    }
}
