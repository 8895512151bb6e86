namespace Berth.Registry.Hosting;

public sealed class AdminOptions
{
    /// <summary>Password of the bootstrap <c>admin</c> account, used only on first start (when no admin exists yet).</summary>
    public string? Password { get; set; }
}
