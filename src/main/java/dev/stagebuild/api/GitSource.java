package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class GitSource {
  @Required
  @Size(min = 1, max = 4096)
  @Pattern("^[^-\\s][^\\s]*$")
  @JsonPropertyDescription("The repository URL: https://, ssh:// or user@host:path (http:// only without credentials, or with insecureHttp).")
  public String url;

  @Size(max = 4096)
  @Pattern("^[^-]")
  @JsonPropertyDescription("Branch, tag or commit to build. Default: the repository's default branch.")
  public String revision;

  @Size(max = 4096)
  @JsonPropertyDescription("Sub-directory of the repository to use as the build context. Default: the repository root.")
  public String contextDir;

  @JsonPropertyDescription("A Secret with git credentials: keys username and password (https), or ssh-privatekey and known_hosts (ssh).")
  public LocalObjectRef secretRef;

  @JsonPropertyDescription("Allow sending secretRef's credentials over a plain http:// URL, unencrypted. Default false: an http:// URL with credentials is refused.")
  public Boolean insecureHttp;

  @JsonPropertyDescription("Clone over SSH without checking the server's host key (anyone on the network path can then impersonate the server and receive the clone's key challenge). Default false: the secretRef must hold known_hosts for an SSH URL.")
  public Boolean insecureSkipHostKeyCheck;
}
