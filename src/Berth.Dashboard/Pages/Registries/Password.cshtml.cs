using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// Explains what a reset does, then resets and redirects (303) to <c>?done=true</c>, which shows the new password once
/// (carried in TempData). A reload shows that it was shown and resets nothing. The reset may keep the previous password
/// working for a while (<see cref="KeepOptions"/>); the registry page's "Revoke now" posts to
/// <see cref="OnPostRevokePreviousAsync"/> to end that early.
/// </summary>
public sealed class PasswordModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryPasswordReset reset,
    TimeProvider time, RegistryAccessTokens tokens) : PageModel
{
    private const string SecretKind = "reset";

    /// <summary>The choices of "Keep the previous password working for" (value: <c>keepPreviousFor</c> of the API; empty: not at all).</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> KeepOptions =
        [("", "None: it stops at once"), ("1h", "1 hour"), ("24h", "24 hours"), ("7d", "7 days")];

    [BindProperty]
    public string? KeepPreviousFor { get; set; }

    /// <summary>Until when the previous password still works, on the page that shows the new one; null when it doesn't.</summary>
    public DateTimeOffset? PreviousValidUntil { get; private set; }

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
            PreviousValidUntil = registry.PreviousPasswordValidUntil > time.GetUtcNow() ? registry.PreviousPasswordValidUntil : null;
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
        TimeSpan? keep = null;
        if (!string.IsNullOrEmpty(KeepPreviousFor))
        {
            // Only the offered choices come from the form; anything else was made up, so nothing is reset.
            if (!KeepOptions.Any(o => o.Value == KeepPreviousFor) || !Registry.Management.KeepPreviousFor.TryParse(KeepPreviousFor, out var duration))
            {
                return BadRequest();
            }

            keep = duration;
        }

        var result = await reset.ResetAsync(registry, keep, AuditActor.From(HttpContext), ct);
        OneTimeSecrets.Put(TempData, SecretKind, registry.Name, result.Password);
        return new SeeOtherResult($"/registries/{registry.Name}/password?done=true");
    }

    /// <summary>"Revoke now" on the registry page: the previous password stops at once; back to the registry page (303).</summary>
    public async Task<IActionResult> OnPostRevokePreviousAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        try
        {
            await reset.RevokePreviousAsync(registry, AuditActor.From(HttpContext), ct);
            TempData["Notice"] = $"The previous password of {registry.Name} no longer works, nor do the tokens issued with it.";
        }
        catch (Registry.ManagementException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            // Revoked meanwhile, or its time ran out: the outcome the user asked for.
            TempData["Notice"] = $"{registry.Name} has no previous password that still works.";
        }

        return new SeeOtherResult(Paths.Registry(registry.Name));
    }
}
