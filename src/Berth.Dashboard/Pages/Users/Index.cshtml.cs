using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Users;

/// <summary>Administrators list and create users; anyone else gets the 403 page (the service refuses them).</summary>
public sealed class UsersModel(UserAccounts accounts) : PageModel
{
    [BindProperty]
    public string Username { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty]
    public bool Admin { get; set; }

    public IReadOnlyList<UserRecord> Users { get; private set; } = [];

    [TempData]
    public string? Notice { get; set; }

    /// <summary>Why the last create failed, with the name typed (never the password) to fill the form again.</summary>
    [TempData]
    public string? Error { get; set; }

    [TempData]
    public string? TypedUsername { get; set; }

    public async Task OnGetAsync()
    {
        Users = await accounts.ListAsync(User, HttpContext.RequestAborted);
        Username = TypedUsername ?? "";
    }

    public async Task<IActionResult> OnPostAsync()
    {
        try
        {
            var user = await accounts.CreateAsync(User, Username, Password, Admin, HttpContext.RequestAborted);
            Notice = $"User {user.Username} was created{(user.IsAdmin ? " as an administrator" : "")}. Add them to a project from its Members page.";
        }
        catch (ManagementException ex) when (ex.Status is 400 or 409)
        {
            Error = ex.Message;
            TypedUsername = Username;
        }

        return new SeeOtherResult("/users");
    }
}
