namespace Berth.Dashboard;

/// <summary>A registry password shown once (after create or reset), with what a client needs to log in.</summary>
public sealed record Credentials(string LoginHost, string Endpoint, string Username, string Password)
{
    public string DockerLogin => $"docker login {LoginHost} -u {Username}";

    public string PodmanLogin => $"podman login {LoginHost} -u {Username}";
}
