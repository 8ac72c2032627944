package dev.stagebuild.reconciler;

/**
 * A permanent refusal met while acting on a decision: the API server refused an object for a reason
 * a retry does not cure (Pod Security admission, validation, an object of the same name owned by
 * someone else), or the object could not be rendered. The build ends with this reason.
 */
public record Refusal(String reason, String message) {}
