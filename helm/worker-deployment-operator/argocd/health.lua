-- Argo CD health check for cfworkers.io/WorkerDeployment.
-- Install under resource.customizations.health.cfworkers.io_WorkerDeployment in argocd-cm.
-- Argo CD sets the global `obj` to the resource; only base Lua functions are used here.
--
--   Suspended    spec.suspend is true: the operator reports but never deploys.
--   Progressing  the operator has not yet observed the current generation (conditions of an older
--                generation say nothing about the current spec), or it is working towards it.
--   Degraded     Stalled=True: it cannot progress without a change to the spec or the Secret.
--   Healthy      Ready=True at the current generation: Cloudflare serves the declared split.

local hs = {}

local function condition(conditions, type)
  for _, c in ipairs(conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function messageOf(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended: the operator reports what Cloudflare serves but does not deploy"
  return hs
end

local generation = obj.metadata.generation
local status = obj.status
if status == nil or status.observedGeneration == nil
    or (generation ~= nil and status.observedGeneration ~= generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local conditions = status.conditions or {}
local stalled = condition(conditions, "Stalled")
local ready = condition(conditions, "Ready")
local reconciling = condition(conditions, "Reconciling")

if isTrue(stalled) then
  hs.status = "Degraded"
  hs.message = messageOf(stalled, "Stalled")
  return hs
end

if isTrue(ready) then
  hs.status = "Healthy"
  hs.message = messageOf(ready, "Cloudflare serves the declared split")
  return hs
end

hs.status = "Progressing"
if isTrue(reconciling) then
  hs.message = messageOf(reconciling, "Reconciling")
else
  hs.message = messageOf(ready, "Waiting for the operator to report Ready")
end
return hs
