namespace Berth.Registry.Management;

/// <summary>An imagePullSecret ready to apply, and the new password when it was made by resetting the password.</summary>
public sealed record PullSecret(string Yaml, string Snippet, string? NewPassword);
