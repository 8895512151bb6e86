using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// An imagePullSecret for the registry. The server never keeps a password, so the owner types the current one (checked
/// against the stored hash) or asks for a reset, whose new password is shown once and embedded.
/// </summary>
public sealed class KubernetesModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, PullSecretIssuer issuer) : PageModel
{
    public RegistrySummary Summary { get; private set; } = null!;

    [BindProperty]
    public string Namespace { get; set; } = "default";

    [BindProperty]
    public string SecretName { get; set; } = "";

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public bool ResetPassword { get; set; }

    public string? Error { get; private set; }

    public string? Yaml { get; private set; }

    public string? Snippet { get; private set; }

    public Credentials? Reset { get; private set; }

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, HttpContext.RequestAborted);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, HttpContext.RequestAborted);
        SecretName = $"{registry.Name}-pull";
    }

    public async Task OnPostAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Namespace = Namespace.Trim();
        SecretName = SecretName.Trim();
        PullSecret secret;
        try
        {
            secret = await issuer.IssueAsync(registry, Namespace, SecretName, Password, ResetPassword, Summary.LoginHost, AuditActor.From(HttpContext), ct);
        }
        catch (ManagementException ex) when (ex.Status == StatusCodes.Status400BadRequest)
        {
            Error = ex.Message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (secret.NewPassword is { } newPassword)
        {
            Reset = new Credentials(Summary.LoginHost, Summary.Endpoint, registry.Name, newPassword);
        }

        Response.Headers.CacheControl = "no-store";
        Yaml = secret.Yaml;
        Snippet = secret.Snippet;
    }
}
