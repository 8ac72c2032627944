-- Argo CD health of a stagebuild.dev StageBuild (the rules: docs/conditions.md).
-- Healthy once the image is pushed (Succeeded=True), Degraded when the build failed
-- (Succeeded=False, with the operator's reason and message), Progressing otherwise: no status yet,
-- a spec the operator has not seen (status.observedGeneration < metadata.generation), or a build
-- that is still running.
local hs = {}

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the StageBuild operator to pick the build up"
  return hs
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to start the build of generation " .. tostring(generation)
  return hs
end

local succeeded = nil
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Succeeded" then
      succeeded = condition
    end
  end
end

local function describe(condition, fallback)
  local text = condition.message
  if text == nil or text == "" then
    text = fallback
  end
  if condition.reason ~= nil and condition.reason ~= "" then
    return condition.reason .. ": " .. text
  end
  return text
end

if succeeded == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the build to start"
elseif succeeded.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(succeeded, "the image is pushed")
elseif succeeded.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(succeeded, "the build failed")
else
  hs.status = "Progressing"
  hs.message = describe(succeeded, "the build is running")
end
return hs
