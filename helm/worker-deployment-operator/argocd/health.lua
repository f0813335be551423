-- Argo CD health check for cfworkers.io/WorkerDeployment.
-- Install under resource.customizations.health.cfworkers.io_WorkerDeployment in argocd-cm.
-- Argo CD sets the global `obj` to the resource; only base Lua functions are used here.
--
--   Suspended    the annotation cfworkers.io/hold is present (break-glass: the operator only
--                observes and reports), or spec.suspend is true: the operator never deploys.
--   Progressing  the operator has not yet observed the current generation (conditions of an older
--                generation say nothing about the current spec), or it is working towards it:
--                deploying, or stepping through a rollout (also during a timed pause, and while
--                a step's analysis measures the new version).
--   Suspended    a rollout waits for a promote (cfworkers.io/promote) at the current generation,
--                also when its analysis cannot judge the new version and waits for a person.
--   Degraded     Stalled=True: it cannot progress without a change to the spec or the Secret, or
--                a rollout was aborted (by request, failed analysis or its progress deadline).
--   Healthy      Ready=True at the current generation: Cloudflare serves the declared split
--                (with a rollout: the last step is done and the target serves 100%).

local hs = {}

local HOLD = "cfworkers.io/hold"

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

local function nonEmpty(s)
  return s ~= nil and s ~= ""
end

local function messageOf(c, fallback)
  if c ~= nil and nonEmpty(c.message) then
    return c.message
  end
  if c ~= nil and nonEmpty(c.reason) then
    return c.reason
  end
  return fallback
end

-- "Step 2/3 (50%)" from status.rollout, for messages the operator did not write itself: the
-- step's weight as the spec declares it (what the step moves to), else the weight live now.
local function stepOf(rollout)
  local text = "Step " .. tostring(rollout.step or "?") .. "/" .. tostring(rollout.steps or "?")
  local weight = rollout.weight
  local steps = obj.spec.rollout.steps
  if steps ~= nil and rollout.step ~= nil and steps[rollout.step] ~= nil
      and steps[rollout.step].weight ~= nil then
    weight = steps[rollout.step].weight
  end
  if weight ~= nil then
    text = text .. " (" .. tostring(weight) .. "%)"
  end
  return text
end

-- The operator's own rollout message ("Step 2/3 (50%): waiting for promote") when it wrote one,
-- else the condition's message, else one built from the step.
local function rolloutMessage(rollout, c, what)
  if rollout ~= nil and nonEmpty(rollout.message) then
    return rollout.message
  end
  if c ~= nil and nonEmpty(c.message) then
    return c.message
  end
  if rollout ~= nil then
    return stepOf(rollout) .. ": " .. what
  end
  return messageOf(c, what)
end

local annotations = obj.metadata.annotations
if annotations ~= nil and annotations[HOLD] ~= nil then
  local reason = annotations[HOLD]
  if not nonEmpty(reason) then
    reason = "no reason given"
  end
  hs.status = "Suspended"
  hs.message = "Held (" .. HOLD .. "): " .. reason
      .. "; the operator reports what Cloudflare serves but does not deploy"
  return hs
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

-- status.rollout speaks for the spec only while the spec declares a rollout: once `rollout` is
-- removed from the spec, a rollout status left behind says nothing about what happens next.
local rollout = nil
if obj.spec ~= nil and obj.spec.rollout ~= nil then
  rollout = status.rollout
end
local phase = nil
if rollout ~= nil then
  phase = rollout.phase
end

if isTrue(stalled) then
  hs.status = "Degraded"
  hs.message = messageOf(stalled, "Stalled")
  return hs
end

if phase == "Aborted" then
  hs.status = "Degraded"
  hs.message = rolloutMessage(rollout, stalled, "aborted (" .. tostring(rollout.abortReason) .. ")")
  return hs
end

if isTrue(ready) then
  hs.status = "Healthy"
  hs.message = messageOf(ready, "Cloudflare serves the declared split")
  return hs
end

-- Waiting for a person: a step that holds until a promote, or analysis that cannot judge the
-- canary (inconclusive measurements or failed analytics queries in a row). A step that holds for
-- its analysis after its pause (reason Analysing) moves on by itself.
local waitingReasons = {
  WaitingForPromotion = true,
  InconclusiveAnalysis = true,
  AnalysisQueryFailed = true,
}
local reason = nil
if isTrue(reconciling) then
  reason = reconciling.reason
end
local waitingForPromotion = (reason ~= nil and waitingReasons[reason] == true)
    or (phase == "Paused" and rollout.pausedUntil == nil and reason ~= "Analysing")
if waitingForPromotion then
  hs.status = "Suspended"
  hs.message = rolloutMessage(rollout, reconciling, "waiting for promote")
  return hs
end

hs.status = "Progressing"
if phase == "Paused" and rollout.pausedUntil == nil then
  hs.message = rolloutMessage(rollout, reconciling, "analysing")
elseif phase == "Paused" then
  local until_ = "paused until " .. tostring(rollout.pausedUntil)
  hs.message = rolloutMessage(rollout, reconciling, until_)
elseif phase == "Progressing" then
  hs.message = rolloutMessage(rollout, reconciling, "progressing")
elseif isTrue(reconciling) then
  hs.message = messageOf(reconciling, "Reconciling")
else
  hs.message = messageOf(ready, "Waiting for the operator to report Ready")
end
return hs
