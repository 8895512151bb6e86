using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// For a compromise: replace the password and revoke every access token at once, confirmed by typing the registry's
/// name (checked again by the POST). Redirects (303) to <c>?done=true</c>, which shows the new password once.
/// </summary>
public sealed class RevokeAllModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryAccessTokens tokens) : PageModel
{
    private const string SecretKind = "revoke-all";
    private const string CountKind = "revoke-all-count";

    public RegistrySummary Summary { get; private set; } = null!;

    public IReadOnlyList<RegistryTokenRecord> Tokens { get; private set; } = [];

    [BindProperty]
    public string? Confirm { get; set; }

    public string? Error { get; private set; }

    [BindProperty(SupportsGet = true)]
    public bool Done { get; set; }

    public Credentials? NewPassword { get; private set; }

    public string? RevokedCount { get; private set; }

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, HttpContext.RequestAborted);
        await LoadAsync(registry);
        if (Done)
        {
            Response.Headers.CacheControl = "no-store";
            RevokedCount = OneTimeSecrets.Take(TempData, CountKind, registry.Name);
            if (OneTimeSecrets.Take(TempData, SecretKind, registry.Name) is { } password)
            {
                NewPassword = new Credentials(Summary.LoginHost, Summary.Endpoint, registry.Name, password);
            }
        }
    }

    public async Task<IActionResult> OnPostAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        if (!string.Equals(Confirm, registry.Name, StringComparison.Ordinal))
        {
            Error = $"The name you typed does not match. Type {registry.Name} exactly; nothing was revoked.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync(registry);
            return Page();
        }

        var (password, revoked) = await tokens.RevokeAllAsync(registry, AuditActor.From(HttpContext), ct);
        OneTimeSecrets.Put(TempData, SecretKind, registry.Name, password);
        OneTimeSecrets.Put(TempData, CountKind, registry.Name, revoked.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new SeeOtherResult($"/registries/{registry.Name}/revoke-all?done=true");
    }

    private async Task LoadAsync(RegistryRecord registry)
    {
        var ct = HttpContext.RequestAborted;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Tokens = await tokens.ListActiveAsync(registry, ct);
    }
}
