using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Auth;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Projects;

/// <summary>The dashboard's home: the projects the user can see, and creating one (any signed-in user may).</summary>
public sealed class ProjectsModel(ProjectAccess access, ITenantStore tenants, TenantService service) : PageModel
{
    [BindProperty]
    public string Name { get; set; } = "";

    public string? Error { get; private set; }

    public IReadOnlyList<ProjectRow> Projects { get; private set; } = [];

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        try
        {
            var project = await service.CreateProjectAsync(Name.Trim(), User.UserId(), AuditActor.From(HttpContext), HttpContext.RequestAborted);
            return new SeeOtherResult($"/projects/{project.Name}/registries");
        }
        catch (ManagementException ex) when (ex.Status is 400 or 409)
        {
            Error = ex.Message;
            Response.StatusCode = ex.Status;
            await LoadAsync();
            return Page();
        }
    }

    private async Task LoadAsync()
    {
        var visible = await access.VisibleProjectsAsync(User, HttpContext.RequestAborted);
        var counts = await tenants.CountRegistriesAsync(visible.Select(v => v.Project.Id).ToList(), HttpContext.RequestAborted);
        Projects = visible.Select(v => new ProjectRow(v.Project.Name, v.Role, counts.GetValueOrDefault(v.Project.Id), v.Project.CreatedAt)).ToList();
    }
}
