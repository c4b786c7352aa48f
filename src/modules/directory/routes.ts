// /api/admin: administration of the directory (admin role): organisations, practitioners and their
// roles, facility apps, patient accounts and their one-time links, and import from a FHIR Bundle; and
// /api/directory, what clinicians read of it to refer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Bundle } from '@medplum/fhirtypes';
import Type from 'typebox';
import { errorResponses } from '../../platform/http-schemas.js';
import { callerOf } from '../identity/plugin.js';
import * as S from './schemas.js';
import type { directoryNetwork } from './network.js';
import type { DirectoryService } from './service.js';

type NetworkReader = ReturnType<typeof directoryNetwork>;

const tags = ['directory administration'];
const answers = (status: number, schema: Parameters<typeof Type.Array>[0], ...errors: number[]) => ({
  [status]: schema,
  ...errorResponses(400, 401, 403, ...errors),
});

export const directoryRoutes: FastifyPluginAsyncTypebox<{ service: DirectoryService; readNetwork: NetworkReader }> = async (app, { service, readNetwork }) => {
  app.get(
    '/directory',
    {
      schema: {
        tags: ['directory'],
        summary: 'The organisations one may refer to, with their facility apps, and the practitioners, by name (clinicians)',
        response: answers(200, S.Network),
      },
    },
    async function readDirectory(request) {
      return readNetwork(callerOf(request));
    },
  );
  app.get(
    '/admin/organizations',
    { schema: { tags, summary: 'Every organisation of the directory', response: answers(200, Type.Array(S.Organization)) } },
    async function listOrganizations(request) {
      return service.listOrganizations(callerOf(request));
    },
  );
  app.post(
    '/admin/organizations',
    { schema: { tags, summary: 'Add an organisation', body: S.CreateOrganizationBody, response: answers(201, S.Organization, 409, 422) } },
    async function createOrganization(request, reply) {
      return reply.status(201).send(await service.saveOrganization(callerOf(request), request.body));
    },
  );
  app.get(
    '/admin/organizations/:id',
    { schema: { tags, summary: 'An organisation', params: S.IdParams, response: answers(200, S.Organization, 404) } },
    async function getOrganization(request) {
      return service.getOrganization(callerOf(request), request.params.id);
    },
  );
  app.patch(
    '/admin/organizations/:id',
    {
      schema: {
        tags,
        summary: 'Rename, move or deactivate an organisation',
        params: S.IdParams,
        body: S.UpdateOrganizationBody,
        response: answers(200, S.Organization, 404, 422),
      },
    },
    async function updateOrganization(request) {
      return service.updateOrganization(callerOf(request), request.params.id, request.body);
    },
  );

  app.get(
    '/admin/practitioners',
    { schema: { tags, summary: 'Every practitioner with their roles', response: answers(200, Type.Array(S.Practitioner)) } },
    async function listPractitioners(request) {
      return service.listPractitioners(callerOf(request));
    },
  );
  app.post(
    '/admin/practitioners',
    { schema: { tags, summary: 'Add a practitioner', body: S.CreatePractitionerBody, response: answers(201, S.Practitioner, 409) } },
    async function createPractitioner(request, reply) {
      return reply.status(201).send(await service.savePractitioner(callerOf(request), request.body));
    },
  );
  app.get(
    '/admin/practitioners/:id',
    { schema: { tags, summary: 'A practitioner with their roles', params: S.IdParams, response: answers(200, S.Practitioner, 404) } },
    async function getPractitioner(request) {
      return service.getPractitioner(callerOf(request), request.params.id);
    },
  );
  app.patch(
    '/admin/practitioners/:id',
    {
      schema: {
        tags,
        summary: 'Rename or deactivate a practitioner',
        params: S.IdParams,
        body: S.UpdatePractitionerBody,
        response: answers(200, S.Practitioner, 404),
      },
    },
    async function updatePractitioner(request) {
      return service.updatePractitioner(callerOf(request), request.params.id, request.body);
    },
  );
  app.post(
    '/admin/practitioners/:id/roles',
    {
      schema: {
        tags,
        summary: 'Give a practitioner a role at an organisation',
        params: S.IdParams,
        body: S.AddRoleBody,
        response: answers(201, S.PractitionerRoleView, 404, 422),
      },
    },
    async function addRole(request, reply) {
      return reply.status(201).send(await service.addRole(callerOf(request), request.params.id, request.body));
    },
  );
  app.patch(
    '/admin/practitioner-roles/:id',
    {
      schema: {
        tags,
        summary: 'Deactivate or reactivate a role',
        params: S.IdParams,
        body: S.UpdateRoleBody,
        response: answers(200, S.PractitionerRoleView, 404),
      },
    },
    async function updateRole(request) {
      return service.setRoleActive(callerOf(request), request.params.id, request.body.active);
    },
  );

  app.get(
    '/admin/facility-apps',
    { schema: { tags, summary: 'Every registered facility SMART app', response: answers(200, Type.Array(S.FacilityApp)) } },
    async function listApps(request) {
      return service.listApps(callerOf(request));
    },
  );
  app.post(
    '/admin/facility-apps',
    {
      schema: {
        tags,
        summary: "Register an organisation's SMART app (a confidential app's secret is in this answer only)",
        body: S.RegisterAppBody,
        response: answers(201, S.FacilityApp, 409, 422),
      },
    },
    async function registerApp(request, reply) {
      return reply.status(201).send(await service.registerApp(callerOf(request), request.body));
    },
  );
  app.get(
    '/admin/facility-apps/:clientId',
    { schema: { tags, summary: 'A facility app', params: S.AppParams, response: answers(200, S.FacilityApp, 404) } },
    async function getApp(request) {
      return service.getApp(callerOf(request), request.params.clientId);
    },
  );
  app.patch(
    '/admin/facility-apps/:clientId',
    {
      schema: { tags, summary: 'Change or deactivate a facility app', params: S.AppParams, body: S.UpdateAppBody, response: answers(200, S.FacilityApp, 404) },
    },
    async function updateApp(request) {
      return service.updateApp(callerOf(request), request.params.clientId, request.body);
    },
  );
  app.post(
    '/admin/facility-apps/:clientId/secret',
    {
      schema: {
        tags,
        summary: "Rotate a confidential app's secret (shown in this answer only)",
        params: S.AppParams,
        response: answers(200, S.FacilityApp, 404, 409),
      },
    },
    async function rotateSecret(request) {
      return service.rotateAppSecret(callerOf(request), request.params.clientId);
    },
  );

  app.post(
    '/admin/practitioners/:id/account-link',
    {
      schema: {
        tags,
        summary: 'A one-time link for a practitioner to set their clinician app password: enrolment, or a reset that ends their sign-ins',
        params: S.IdParams,
        response: answers(201, S.PractitionerAccount, 404, 409),
      },
    },
    async function issuePractitionerLink(request, reply) {
      return reply.status(201).send(await service.issuePractitionerLink(callerOf(request), request.params.id));
    },
  );

  app.get(
    '/admin/patient-accounts',
    { schema: { tags, summary: 'Every patient account and its state', response: answers(200, Type.Array(S.PatientAccount)) } },
    async function listPatientAccounts(request) {
      return service.listPatientAccounts(callerOf(request));
    },
  );
  app.post(
    '/admin/patient-accounts',
    {
      schema: {
        tags,
        summary: 'Invite a patient: the answer carries their one-time enrolment link',
        body: S.CreatePatientAccountBody,
        response: answers(201, S.PatientAccount, 409),
      },
    },
    async function invitePatient(request, reply) {
      return reply.status(201).send(await service.invitePatient(callerOf(request), request.body));
    },
  );
  app.post(
    '/admin/patient-accounts/:username/link',
    {
      schema: {
        tags,
        summary: 'A new one-time link: enrolment for an invited patient, else a password reset',
        params: S.UsernameParams,
        response: answers(201, S.PatientAccount, 404, 409),
      },
    },
    async function issueLink(request, reply) {
      return reply.status(201).send(await service.issueAccountLink(callerOf(request), request.params.username));
    },
  );
  app.patch(
    '/admin/patient-accounts/:username',
    {
      schema: {
        tags,
        summary: 'Disable or enable a patient account',
        params: S.UsernameParams,
        body: S.UpdatePatientAccountBody,
        response: answers(200, S.PatientAccount, 404),
      },
    },
    async function updatePatientAccount(request) {
      return service.setPatientAccountState(callerOf(request), request.params.username, request.body.state);
    },
  );

  app.post(
    '/admin/directory/import',
    {
      schema: {
        tags,
        summary: 'Load or update the directory from a FHIR transaction or batch Bundle',
        body: Type.Object({ resourceType: Type.Literal('Bundle') }, { additionalProperties: true }),
        response: answers(200, S.ImportResult, 422),
      },
    },
    async function importDirectory(request) {
      return service.importDirectory(callerOf(request), request.body as Bundle);
    },
  );
};
