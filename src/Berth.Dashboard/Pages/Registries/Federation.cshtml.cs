using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// CI sign-in (workload identity federation): the registry's rules trusting OIDC ID tokens. Everyone who sees the
/// registry sees its rules; owners add them and remove them (<c>?remove=ID</c> asks first). Forms redirect (303).
/// </summary>
public sealed class FederationModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, FederationRuleManagement management) : PageModel
{
    public RegistrySummary Summary { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    public IReadOnlyList<FederationRuleRecord> Rules { get; private set; } = [];

    /// <summary>The rule a removal is being confirmed for (<c>?remove=ID</c>).</summary>
    public FederationRuleRecord? Removing { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public string? Error { get; private set; }

    /// <summary>The new rule's name (not "Name": that would bind the route's registry name too).</summary>
    [BindProperty]
    public string RuleName { get; set; } = "";

    [BindProperty]
    public string Issuer { get; set; } = "";

    [BindProperty]
    public string Audience { get; set; } = "berth";

    /// <summary>One <c>claim=value</c> per line.</summary>
    [BindProperty]
    public string Claims { get; set; } = "";

    [BindProperty]
    public List<string> Scopes { get; set; } = ["pull"];

    /// <summary>One repository pattern per line; none: every repository.</summary>
    [BindProperty]
    public string Repositories { get; set; } = "";

    [BindProperty]
    public int TokenLifetimeMinutes { get; set; } = FederationRuleManagement.DefaultTokenLifetimeMinutes;

    public async Task OnGetAsync(string name, string? remove)
    {
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, HttpContext.RequestAborted);
        await LoadAsync(registry, role);
        Removing = role == ProjectRole.Owner && remove is not null ? Rules.FirstOrDefault(r => r.Id == remove) : null;
    }

    public async Task<IActionResult> OnPostAddAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Lines(Claims))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return await RefusedAsync(registry, role, $"'{line}' is not claim=value (one per line).");
            }

            claims[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }

        try
        {
            var rule = await management.CreateAsync(registry,
                new CreateFederationRuleRequest(RuleName, Issuer.Trim(), Audience.Trim(), claims, Scopes, [.. Lines(Repositories)], TokenLifetimeMinutes),
                AuditActor.From(HttpContext), ct);
            Notice = $"Rule {rule.Name} added: CI jobs whose ID tokens match it sign in as {registry.Name}.";
        }
        catch (ManagementException ex) when (ex.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
        {
            return await RefusedAsync(registry, role, ex.Message);
        }

        return new SeeOtherResult($"/registries/{registry.Name}/federation");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string name, string id)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        await management.DeleteAsync(registry, id, AuditActor.From(HttpContext), ct);
        Notice = "Rule removed: the sign-ins it granted stopped working.";
        return new SeeOtherResult($"/registries/{registry.Name}/federation");
    }

    private async Task<IActionResult> RefusedAsync(RegistryRecord registry, ProjectRole role, string error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(registry, role);
        return Page();
    }

    private async Task LoadAsync(RegistryRecord registry, ProjectRole role)
    {
        var ct = HttpContext.RequestAborted;
        Role = role;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Rules = await management.ListAsync(registry, ct);
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
