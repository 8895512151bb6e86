using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// Explains what a reset does, then resets and redirects (303) to <c>?done=true</c>, which shows the new password once
/// (carried in TempData). A reload shows that it was shown and resets nothing.
/// </summary>
public sealed class PasswordModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryPasswordReset reset,
    RegistryAccessTokens tokens) : PageModel
{
    private const string SecretKind = "reset";

    public RegistrySummary Summary { get; private set; } = null!;

    /// <summary>This GET is the result of a reset (query string).</summary>
    [BindProperty(SupportsGet = true)]
    public bool Done { get; set; }

    /// <summary>The new password, on the one GET that shows it.</summary>
    public Credentials? NewPassword { get; private set; }

    /// <summary>The access tokens, which a reset leaves working.</summary>
    public IReadOnlyList<RegistryTokenRecord> Tokens { get; private set; } = [];

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, HttpContext.RequestAborted);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, HttpContext.RequestAborted);
        Tokens = await tokens.ListActiveAsync(registry, HttpContext.RequestAborted);
        if (Done)
        {
            Response.Headers.CacheControl = "no-store";
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
        var password = await reset.ResetAsync(registry, AuditActor.From(HttpContext), ct);
        OneTimeSecrets.Put(TempData, SecretKind, registry.Name, password);
        return new SeeOtherResult($"/registries/{registry.Name}/password?done=true");
    }
}
